"""`POST /v1/peers` (who to talk to or shadow about a topic) and admin `GET /v1/people`."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from companion.faces.api.deps import (
    AdminKey,
    InsightsDep,
    LinksDep,
    PeersDep,
    PeopleDep,
    WidgetOrAdminKey,
)
from companion.features.insights.service import PEERS_SUGGESTED
from companion.features.peers.models import PeerSuggestion
from companion.features.peers.service import MAX_TOPIC_CHARS
from companion.features.people import Person

router = APIRouter(prefix="/v1", tags=["peers"])


class PeersRequest(BaseModel):
    """A topic, and how to suggest people for it."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=MAX_TOPIC_CHARS)
    shadow: bool = Field(default=False, description="favour people who described doing the work")
    exclude: str | None = Field(
        default=None, max_length=200, description="the asker's person id or alias"
    )
    limit: int | None = Field(default=None, ge=1, le=20, description="default 3")


@router.post("/peers", response_model=list[PeerSuggestion])
def suggest_peers(
    body: PeersRequest, peers: PeersDep, key: WidgetOrAdminKey, links: LinksDep,
    insights: InsightsDep,
) -> list[PeerSuggestion]:
    """People to contact or shadow about the topic, each with a reason and verified quotes.

    An empty list means nobody who may be suggested has spoken about the topic. Evidence only
    ever comes from sessions whose participants consented to sharing; each quote has a `url`.
    """
    result = peers.recommend(
        body.topic, shadow=body.shadow, exclude=body.exclude, limit=body.limit
    )
    insights.count(PEERS_SUGGESTED, len(result.suggestions))
    return links.attach(result.suggestions)


@router.get("/people", response_model=list[Person])
def list_people(people: PeopleDep, key: AdminKey) -> list[Person]:
    """Everyone in the people directory (admin keys only)."""
    return people.list()
