"""`create_app`: the FastAPI app with its lifespan, middleware, error handlers and routers.

Optional feature routers (tips, peers, summaries) are included when their module exists. Each
such module exposes `router: APIRouter` and takes its dependencies from `companion.api.deps`:

    from companion.api.deps import AdminKey, CtxDep, ReaderKey

    router = APIRouter(prefix="/v1/tips", tags=["tips"])

    @router.get("")
    def list_tips(ctx: CtxDep, key: ReaderKey, topic: str | None = None) -> list[Tip]: ...

`ReaderKey` (= `WidgetOrAdminKey`) for what widget keys may do (read tips, suggest peers),
`AdminKey` for everything else (e.g. tip review, session summaries). Public HTML pages (tip
permalinks) take no key. Raise `CompanionError` subclasses; they become problem+json.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import Scope

from companion.api.middleware import BodyLimitMiddleware, WidgetCorsMiddleware
from companion.api.problems import install_problem_handlers
from companion.api.routers import ask, feedback, health, keys, privacy, sessions, widget
from companion.api.state import Limits, OriginCache, Services
from companion.context import Context
from companion.settings import Settings

log = logging.getLogger("companion.api")

# Features other modules provide; the widget shows a tab for each one present.
OPTIONAL_ROUTERS = {
    "tips": "companion.api.routers.tips",
    "peers": "companion.api.routers.peers",
    "summaries": "companion.api.routers.summaries",
}
# Multipart framing around an upload of max_upload_bytes (boundaries, part headers, sidecar).
UPLOAD_OVERHEAD = 256 * 1024


def optional_router_modules() -> dict[str, ModuleType]:
    """The optional feature router modules that are installed, by feature name."""
    found: dict[str, ModuleType] = {}
    for feature, name in OPTIONAL_ROUTERS.items():
        try:
            found[feature] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but something it imports does not
                raise
    return found


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
        context = ctx if ctx is not None else Context(settings)
        app.state.services = Services.open(context, limits, origins)
        log.info("companion API ready (data in %s)", settings.data_dir)
        try:
            yield
        finally:
            if ctx is None:
                context.close()

    def body_limit(scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/v1/sessions":
            return api.max_upload_bytes + UPLOAD_OVERHEAD
        return api.max_body_bytes

    app = FastAPI(
        title="Learning companion",
        summary="Cited answers, tips and peers from what colleagues said in sessions.",
        version="0.1.0",
        lifespan=lifespan,
        middleware=[
            Middleware(WidgetCorsMiddleware, allowed_origins=origins.allowed),
            Middleware(BodyLimitMiddleware, limit_for=body_limit),
        ],
    )
    install_problem_handlers(app)
    for module in (health, ask, feedback, sessions, keys, widget, privacy):
        app.include_router(module.router)
    optional = optional_router_modules()
    for module in optional.values():
        app.include_router(module.router)
    app.state.features = {feature: feature in optional for feature in OPTIONAL_ROUTERS}
    return app
