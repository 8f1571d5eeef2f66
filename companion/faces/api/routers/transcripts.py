"""The transcript view citations link to: `/sessions/{id}` (HTML) and its JSON twin.

Access follows the key that produced the citation: a signed link (`?sig=`, scoped to one
session, short-lived) made for that key, an admin key, or a console sign-in. A link made for a
widget key never opens a private (no-consent) session. Without any of these: 401; with a bad
or expired link: 403 (problem+json on the API, a plain page for browsers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from companion.auth.citation_links import TOKEN_PARAM
from companion.auth.links import LinkRequiredError
from companion.core.errors import CompanionError, ForbiddenError
from companion.faces.api.console_auth import session_key
from companion.faces.api.deps import ServicesDep, client_address, presented_key
from companion.faces.api.state import Services
from companion.faces.api.transcript_page import (
    Transcript,
    build_transcript,
    message_page,
    parse_turns,
    render_transcript,
    turn_at,
)

router = APIRouter(tags=["sessions"])

Sig = Annotated[str | None, Query(alias=TOKEN_PARAM, max_length=200,
                                  description="the signed token a citation url carries")]
Turns = Annotated[str | None, Query(max_length=40, description="cited turns, e.g. 3 or 3-5")]
Seconds = Annotated[float | None, Query(ge=0, description="land on the turn spoken at")]


def transcript_scope(request: Request, services: Services, session_id: str, sig: str | None) -> str:
    """Who may read this transcript: `admin` or `widget`; raises 401/403/404 otherwise."""
    services.limits.per_address.check(client_address(request), "address")
    companion = services.companion
    raw = presented_key(request)
    key = services.keys.authenticate(raw) if raw else None
    if (key is not None and key.is_admin) or session_key(
        request, companion.link_signer, services.keys
    ):
        services.ctx.catalog.require_session(session_id)
        return "admin"
    if not sig:
        raise LinkRequiredError(
            "this transcript opens from a citation link (signed) or with an admin key"
        )
    scope = companion.link_signer.check(session_id, sig)
    row = services.ctx.catalog.require_session(session_id)
    if scope != "admin" and not row["consent"]:
        raise ForbiddenError("this session is private: its participants did not agree to share it")
    return scope


def _view(services: Services, session_id: str, turn: str | None, t: float | None) -> Transcript:
    session = services.ctx.catalog.load_session(session_id)
    cited = parse_turns(turn)
    if cited is None and t is not None:
        at = turn_at(session, t)
        cited = (at, at) if at is not None else None
    return build_transcript(session, cited)


@router.get("/v1/sessions/{session_id}/transcript", response_model=Transcript)
def transcript_json(
    session_id: str, request: Request, services: ServicesDep,
    sig: Sig = None, turn: Turns = None, t: Seconds = None,
) -> Transcript:
    """A session's turns, each with its anchor (`#t=SECONDS` or `#turn=N`), cited ones marked.

    Opens with the `sig` a citation url carries, or an admin key.
    """
    transcript_scope(request, services, session_id, sig)
    return _view(services, session_id, turn, t)


@router.get("/sessions/{session_id}", response_class=HTMLResponse, include_in_schema=False)
def transcript_page(
    session_id: str, request: Request, services: ServicesDep,
    sig: Sig = None, turn: Turns = None, t: Seconds = None,
) -> HTMLResponse:
    """The transcript page a citation opens, scrolled to the cited moment."""
    try:
        scope = transcript_scope(request, services, session_id, sig)
        view = _view(services, session_id, turn, t)
    except CompanionError as exc:
        headers = dict(getattr(exc, "headers", None) or {})
        page = message_page(exc.status, exc.title, exc.detail)
        return HTMLResponse(page, status_code=exc.status, headers=headers)
    note = ""
    if scope == "widget":
        note = ('<p class="note">You opened this from a citation; the link works for a '
                "limited time.</p>")
    return HTMLResponse(render_transcript(view, note),
                        headers={"Cache-Control": "private, no-store",
                                 "Referrer-Policy": "no-referrer"})
