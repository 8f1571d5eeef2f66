"""The facilitator console at `/console`, server-rendered, no external asset.

Sign in with an admin key; moderate tips, resolve feedback, read unanswered questions and
impact charts. Every POST form carries a CSRF token; the session is an HttpOnly,
SameSite=Strict cookie (see `console_auth`).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from companion.auth.keys import ApiKey
from companion.core.errors import CompanionError
from companion.faces.api import console_pages as pages
from companion.faces.api.console_auth import (
    COOKIE,
    csrf_ok,
    csrf_token,
    issue_session,
    session_key,
)
from companion.faces.api.console_loop import impact_charts
from companion.faces.api.deps import ServicesDep, client_address
from companion.faces.api.state import Services

router = APIRouter(prefix="/console", include_in_schema=False)

SIGNIN_COOKIE = "companion_signin"
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                                       "img-src 'self' data:; frame-ancestors 'none'"}
Csrf = Annotated[str, Form(max_length=200)]


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _admin(request: Request, services: Services) -> ApiKey | None:
    return session_key(request, services.companion.link_signer, services.keys)


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def _sign_in_page(services: Services, error: str = "", status: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = _html(pages.sign_in(services.companion.link_signer.mac("signin", nonce), error),
                     status)
    response.set_cookie(SIGNIN_COOKIE, nonce, httponly=True, samesite="strict", path="/console")
    return response


def _refused(request: Request, services: Services, csrf: str) -> Response | None:
    """A response refusing a POST without a console session or with a bad CSRF token."""
    if _admin(request, services) is None:
        return _see("/console")
    if not csrf_ok(request, services.companion.link_signer, csrf):
        return _html(pages.page("Refused", "<h1>Refused</h1><p>The form is out of date (CSRF "
                                "check failed). Go back, reload and try again.</p>"), 403)
    return None


@router.get("", response_class=HTMLResponse)
async def console_home(request: Request, services: ServicesDep) -> Response:
    """Impact charts, or the sign-in form."""
    if _admin(request, services) is None:
        return _sign_in_page(services)
    companion = services.companion

    def render() -> str:
        return pages.overview(companion.insights.report(), companion.feedback.counts(),
                              csrf_token(request, companion.link_signer),
                              impact_charts(companion.loop.impact()))

    return _html(await run_in_threadpool(render))


@router.post("/sign-in")
def sign_in(request: Request, services: ServicesDep, key: Annotated[str, Form(max_length=200)],
            csrf: Csrf) -> Response:
    """Exchange an admin key for a console session cookie."""
    signer = services.companion.link_signer
    services.limits.per_address.check(client_address(request), "address")
    if not signer.verify_mac("signin", request.cookies.get(SIGNIN_COOKIE, ""), csrf):
        return _sign_in_page(services, "The sign-in form expired; please try again.", 403)
    found = services.keys.authenticate(key.strip())
    if found is None or not found.is_admin:
        return _sign_in_page(services, "That is not an active admin key.", 401)
    response = _see("/console")
    hours = services.ctx.settings.web.console_session_hours
    response.set_cookie(COOKIE, issue_session(signer, found, hours), max_age=int(hours * 3600),
                        httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")
    response.delete_cookie(SIGNIN_COOKIE, path="/console")
    return response


@router.post("/sign-out")
def sign_out(request: Request, services: ServicesDep, csrf: Csrf) -> Response:
    """End the console session."""
    refused = _refused(request, services, csrf)
    if refused is not None:
        return refused
    response = _see("/console")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/tips", response_class=HTMLResponse)
def tips_queue(request: Request, services: ServicesDep, done: str | None = None) -> Response:
    """Tips waiting for review."""
    if _admin(request, services) is None:
        return _sign_in_page(services)
    companion = services.companion
    every = companion.tips.views.list_tips()
    waiting = companion.citation_links(admin=True).attach(
        [t for t in every if t.status == "unreviewed"][:50])
    return _html(pages.tips_queue(waiting, sum(t.status != "unreviewed" for t in every),
                                  csrf_token(request, companion.link_signer), done or ""))


@router.post("/tips/{tip_id}")
def review_tip(
    tip_id: str, request: Request, services: ServicesDep, csrf: Csrf,
    action: Annotated[Literal["approve", "retire", "edit", "merge"], Form()],
    text: Annotated[str | None, Form(max_length=400)] = None,
    other_id: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Approve, retire, re-word or merge a tip, then back to the queue."""
    refused = _refused(request, services, csrf)
    if refused is not None:
        return refused
    admin = _admin(request, services)
    by = (admin.name if admin and admin.name else f"console ({admin.id if admin else '?'})")
    try:
        services.companion.tips.registry.review(
            tip_id, action, by=by, text=text, other_id=(other_id or "").strip() or None
        )
    except CompanionError as exc:
        return _see(f"/console/tips?done={_q(f'Not done: {exc.detail}')}")
    return _see(f"/console/tips?done={_q(f'{action}: {tip_id}')}")


@router.get("/feedback", response_class=HTMLResponse)
def feedback_inbox(request: Request, services: ServicesDep, done: str | None = None) -> Response:
    """Open feedback, newest first."""
    if _admin(request, services) is None:
        return _sign_in_page(services)
    companion = services.companion
    items = companion.citation_links(admin=True).attach(
        companion.feedback.list(limit=100, open_only=True))
    return _html(pages.feedback_inbox(items, csrf_token(request, companion.link_signer),
                                      done or ""))


@router.post("/feedback/{feedback_id}/resolve")
def resolve_feedback(
    feedback_id: int, request: Request, services: ServicesDep, csrf: Csrf
) -> Response:
    """Mark feedback resolved."""
    refused = _refused(request, services, csrf)
    if refused is not None:
        return refused
    admin = _admin(request, services)
    ok = services.companion.feedback.resolve(feedback_id, admin.id if admin else None)
    note = f"Resolved #{feedback_id}" if ok else f"No feedback #{feedback_id}"
    return _see(f"/console/feedback?done={_q(note)}")


@router.get("/questions", response_class=HTMLResponse)
def unanswered(request: Request, services: ServicesDep) -> Response:
    """Questions the sessions did not answer."""
    if _admin(request, services) is None:
        return _sign_in_page(services)
    companion = services.companion
    return _html(pages.questions(companion.insights.report(limit=200),
                                 csrf_token(request, companion.link_signer)))


def _q(text: str) -> str:
    return quote(text[:200], safe="")
