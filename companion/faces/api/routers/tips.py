"""Tips: `GET /v1/tips`, `GET /v1/tips/{id}`, admin review, and public permalink pages.

The HTML pages (`/tips`, `/tips/{id}`) take no key so a facilitator can share a link; they
show exactly what widget keys see, and never a quote from a session without consent. A merged
tip's id answers with a permanent redirect to the survivor, on both the API and the pages.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from companion.core.errors import NotFoundError
from companion.faces.api.deps import (
    AdminKey,
    InsightsDep,
    LinksDep,
    PublicLimit,
    PublicLinksDep,
    ReaderKey,
    TipsDep,
)
from companion.features.insights.service import TIPS_VIEWED
from companion.features.tips import pages
from companion.features.tips.models import Tip, TipDetail
from companion.features.tips.registry import MAX_EDIT_CHARS

router = APIRouter(tags=["tips"])

Topic = Annotated[str | None, Query(max_length=200, description="tips about this, by meaning")]
Limit = Annotated[int, Query(ge=1, le=100, description="how many tips")]


class ReviewRequest(BaseModel):
    """One review decision on a tip."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "retire", "edit", "merge"]
    text: str | None = Field(default=None, max_length=MAX_EDIT_CHARS, description="for edit")
    other_id: str | None = Field(
        default=None, max_length=100, description="for merge: the tip folded into this one"
    )
    by: str | None = Field(default=None, max_length=100, description="default: the key's name")


def _moved(request: Request, survivor: str) -> RedirectResponse:
    path = request.url.path.rsplit("/", 1)[0] + "/" + survivor
    return RedirectResponse(path, status_code=308)


@router.get("/v1/tips", response_model=list[Tip])
def list_tips(
    tips: TipsDep, key: ReaderKey, links: LinksDep, insights: InsightsDep,
    topic: Topic = None, limit: Limit = 10,
) -> list[Tip]:
    """Top tips, ranked by distinct sessions, then speakers, then recency.

    Each quote carries its session's title and a `url` into the transcript.
    """
    found = tips.views.list_tips(topic=topic, limit=limit)
    insights.count(TIPS_VIEWED, len(found))
    return links.attach(found)


@router.get("/v1/tips/{tip_id}", response_model=TipDetail,
            responses={308: {"description": "the tip was merged; follow to the survivor"}})
def get_tip(
    tip_id: str, request: Request, tips: TipsDep, key: ReaderKey, links: LinksDep,
    insights: InsightsDep,
) -> TipDetail | Response:
    """One tip with every quote (each with a transcript `url`) and its review history."""
    views = tips.views
    survivor = views.resolve(tip_id)
    if survivor != tip_id:
        return _moved(request, survivor)
    insights.count(TIPS_VIEWED)
    return links.attach(views.get(tip_id))


@router.post("/v1/tips/{tip_id}/review", response_model=TipDetail)
def review_tip(tip_id: str, body: ReviewRequest, tips: TipsDep, key: AdminKey) -> TipDetail:
    """Approve, retire, re-word or merge a tip (admin keys only); returns the tip as it is now."""
    reviewer = body.by or key.name or f"key {key.id}"
    done = tips.registry.review(
        tip_id, body.action, by=reviewer, text=body.text, other_id=body.other_id
    )
    return tips.views.get(done)


@router.get("/tips", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[PublicLimit])
async def tips_page(
    tips: TipsDep, links: PublicLinksDep, topic: Topic = None, limit: Limit = 20
) -> HTMLResponse:
    """The shareable page of top tips (public); quotes link into the transcripts."""

    def render() -> str:
        views = tips.views
        found = links.attach(views.list_tips(topic=topic, limit=limit))
        return pages.list_page(found, views.session_titles(found), topic)

    return HTMLResponse(await run_in_threadpool(render))


@router.get("/tips/{tip_id}", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[PublicLimit])
async def tip_page(
    tip_id: str, request: Request, tips: TipsDep, links: PublicLinksDep, insights: InsightsDep
) -> Response:
    """A tip's permalink page (public); merged ids redirect, unknown ids get a 404 page."""

    def render() -> Response:
        views = tips.views
        try:
            survivor = views.resolve(tip_id)
            if survivor != tip_id:
                return _moved(request, survivor)
            tip = links.attach(views.get(tip_id))
        except NotFoundError:
            return HTMLResponse(pages.not_found_page(tip_id), status_code=404)
        insights.count(TIPS_VIEWED)
        others = links.attach([views.get(other) for other in tip.contradicts])
        sessions = views.session_titles([tip, *others])
        return HTMLResponse(pages.detail_page(tip, others, sessions))

    return await run_in_threadpool(render)
