"""The embeddable widget: `/widget.js`, its feature list, and a `/demo` intranet page (public)."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from companion.faces.api.deps import ServicesDep

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


@router.get("/widget/config")
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


@router.get("/demo", response_class=HTMLResponse)
def demo(
    request: Request,
    key: Annotated[
        str | None,
        Query(description="a widget key whose origins include this server's own origin"),
    ] = None,
) -> HTMLResponse:
    """A demo intranet page with the widget embedded, using the widget key given as `?key=`.

    Keys are shown only once, so the page takes one in its URL:
    `companion keys create --scope widget --origin http://HOST:PORT`, then open
    `http://HOST:PORT/demo?key=KEY`.
    """
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if key:
        embed = (
            f'<script src="{html.escape(str(request.url_for("widget_js")))}" '
            f'data-key="{html.escape(key)}" async></script>'
        )
        notice = ""
    else:
        embed = ""
        notice = (
            '<aside class="notice" role="note"><strong>No widget key given.</strong> Create one '
            f"with <code>companion keys create --scope widget --origin {html.escape(origin)}</code>"
            f" and open <code>{html.escape(origin)}/demo?key=YOUR_KEY</code>.</aside>"
        )
    page = Template(_read(DEMO_HTML)).substitute(
        notice=notice, embed=embed
    )
    # The key is in the URL: keep it out of caches and of Referer headers to other sites.
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )
