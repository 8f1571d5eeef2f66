"""The embeddable widget: `/widget.js`, its feature list, and a `/demo` intranet page (public)."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from companion.auth.keys import Scope
from companion.core.errors import NotFoundError
from companion.faces.api.deps import PublicLimit, ServicesDep

router = APIRouter(tags=["widget"])

# Shipped as package data beside the code (`companion` is a namespace package, so by path).
WIDGET_JS = Path(__file__).resolve().parents[2] / "widget" / "widget.js"
DEMO_HTML = Path(__file__).resolve().parents[1] / "templates" / "demo.html"


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@router.get("/widget.js", response_class=Response, name="widget_js")
def widget_js() -> Response:
    """The widget script, embedded with `<script src=".../widget.js" data-key="KEY" async>`."""
    return Response(
        _read(WIDGET_JS),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300",
                 "Cross-Origin-Resource-Policy": "cross-origin"},
    )


@router.get("/widget/config", dependencies=[PublicLimit])
async def widget_config(request: Request, services: ServicesDep) -> dict[str, object]:
    """What the widget can offer here: which optional features exist, and the question limit."""
    return {
        "features": dict(request.app.state.features),
        "max_question_chars": services.ctx.settings.api.max_question_chars,
        "loop": {
            "follow_up_days": services.ctx.settings.loop.follow_up_days,
            "max_reflection_chars": services.ctx.settings.loop.max_reflection_chars,
        },
    }


def _notice(title: str, body: str) -> str:
    return f'<aside class="notice" role="note"><strong>{title}</strong> {body}</aside>'


HOW_TO = (
    "Create one with <code>companion keys create --scope widget --origin ORIGIN</code>, where "
    "ORIGIN is this page's own origin (scheme, host and port), and open "
    "<code>/demo?key=YOUR_KEY</code>."
)


@router.get("/demo", response_class=HTMLResponse, dependencies=[PublicLimit])
def demo(
    services: ServicesDep,
    key: Annotated[
        str | None,
        Query(description="a widget key whose origins include this server's own origin"),
    ] = None,
) -> HTMLResponse:
    """A demo intranet page with the widget embedded, using the widget key given as `?key=`.

    Keys are shown only once, so the page takes one in its URL:
    `companion keys create --scope widget --origin http://HOST:PORT`, then open
    `http://HOST:PORT/demo?key=KEY`. Only an active widget key is embedded (an admin key in a
    page would hand everything to whoever views its source); the script is loaded from a
    relative URL, so the `Host` header is never reflected. `COMPANION_API__DEMO_PAGE=false`
    turns the page off.
    """
    if not services.ctx.settings.api.demo_page:
        raise NotFoundError("the demo page is turned off (COMPANION_API__DEMO_PAGE=false)")
    embed, notice, status = "", _notice("No widget key given.", HOW_TO), 200
    if key:
        found = services.keys.authenticate(key)
        if found is None:
            notice, status = _notice("This key is not valid or has been revoked.", HOW_TO), 401
        elif found.scope is not Scope.widget:
            notice = _notice(
                "Only widget keys can be embedded.",
                "This page puts its key in the page source for every viewer to read, so it "
                "refuses admin keys. " + HOW_TO,
            )
            status = 403
        else:
            embed = f'<script src="/widget.js" data-key="{html.escape(key)}" async></script>'
            notice = ""
    page = Template(_read(DEMO_HTML)).substitute(notice=notice, embed=embed)
    # The key is in the URL: keep it out of caches and of Referer headers to other sites.
    return HTMLResponse(
        page, status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
