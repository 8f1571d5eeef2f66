"""`create_app`: the FastAPI app with its lifespan, middleware, error handlers and routers.

Every router is listed here, statically. Each takes its dependencies from
`companion.faces.api.deps` (one alias per service, built once by the composition root):

    from companion.faces.api.deps import AdminKey, CtxDep, ReaderKey

    router = APIRouter(prefix="/v1/tips", tags=["tips"])

    @router.get("")
    def list_tips(ctx: CtxDep, key: ReaderKey, topic: str | None = None) -> list[Tip]: ...

`ReaderKey` (= `WidgetOrAdminKey`) for what widget keys may do (read tips, suggest peers),
`AdminKey` for everything else (e.g. tip review, session summaries). Public HTML pages (tip
permalinks) take no key. Raise `CompanionError` subclasses; they become problem+json.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import Scope

from companion.app import Companion
from companion.core.settings import Settings
from companion.faces.api.docs import install_docs
from companion.faces.api.logfilter import install_key_filter
from companion.faces.api.middleware import BodyLimitMiddleware, WidgetCorsMiddleware
from companion.faces.api.problems import PROBLEM_RESPONSES, install_problem_handlers
from companion.faces.api.routers import (
    ask,
    console,
    feedback,
    health,
    insights,
    keys,
    peers,
    privacy,
    sessions,
    summaries,
    tips,
    transcripts,
    tries,
    widget,
)
from companion.faces.api.state import Limits, OriginCache, Services
from companion.retrieval.context import Context

log = logging.getLogger("companion.faces.api")

# Multipart framing around an upload of max_upload_bytes (boundaries, part headers, sidecar).
UPLOAD_OVERHEAD = 256 * 1024


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> FastAPI:
    """The companion's HTTP service.

    Args:
        settings: limits and where data lives; default `ctx.settings`, else from the environment.
        ctx: an open context to serve (tests share one model); by default the lifespan opens
            one from `settings` and closes it on shutdown.
    """
    settings = settings or (ctx.settings if ctx is not None else Settings())
    api = settings.api
    limits = Limits.from_settings(api)
    origins = OriginCache(api.origin_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        companion = Companion(settings, ctx=ctx)
        app.state.services = Services.open(companion, limits, origins)
        log.info("companion API ready (data in %s)", settings.data_dir)
        try:
            yield
        finally:
            if ctx is None:
                companion.close()

    def body_limit(scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/v1/sessions":
            return api.max_upload_bytes + UPLOAD_OVERHEAD
        return api.max_body_bytes

    app = FastAPI(
        title="Learning companion",
        summary="Cited answers, tips and peers from what colleagues said in sessions.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
        middleware=[
            Middleware(WidgetCorsMiddleware, allowed_origins=origins.allowed),
            Middleware(BodyLimitMiddleware, limit_for=body_limit),
        ],
    )
    install_problem_handlers(app)
    install_docs(app)
    install_key_filter()  # `/demo?key=...` must not leave the key in the access log
    for module in (health, ask, feedback, sessions, keys, widget, privacy, tips, peers, summaries):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    for module in (transcripts, insights, console):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    app.include_router(tries.router)
    app.state.features = {"tips": True, "peers": True, "summaries": True, "loop": True}
    return app
