"""The learning loop over HTTP: tries, forgetting a learner, impact figures.

`/v1/tries` for learners (widget keys act only for their own site's learners),
`DELETE /v1/learners/{id}` to forget one, `GET /v1/impact` for facilitators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from companion.auth.keys import ApiKey, normalise_origin
from companion.faces.api.deps import AdminKey, LoopDep, WidgetOrAdminKey, request_origin
from companion.features.loop.impact import Impact
from companion.features.loop.models import (
    ForgetLearnerReport,
    LearnerId,
    LearnerTries,
    OutcomeIn,
    TryCreated,
    TryIn,
    TryRecord,
)
from companion.features.loop.service import Caller
from ingest.audit import key_actor

router = APIRouter(tags=["learning loop"])

Learner = Annotated[LearnerId, Query(description="the learner's pseudonymous id")]


def caller(request: Request, key: ApiKey) -> Caller:
    """Who calls: the key, and for widget keys the (already allowed) page origin."""
    origin = request_origin(request)
    widget = not key.is_admin
    return Caller(
        actor=key_actor(key.id, key.name), key_id=key.id, widget=widget,
        origin=normalise_origin(origin) if widget and origin else origin,
    )


@router.post("/v1/tries", response_model=TryCreated, status_code=status.HTTP_201_CREATED)
def start_try(item: TryIn, request: Request, loop: LoopDep, key: WidgetOrAdminKey) -> TryCreated:
    """'I'll try this' on a tip (`tip_id`) or an answer (`question`), for one learner."""
    return loop.start(item, caller(request, key))


@router.post("/v1/tries/{try_id}/outcome", response_model=TryRecord)
def record_outcome(
    try_id: str, body: OutcomeIn, request: Request, loop: LoopDep, key: WidgetOrAdminKey
) -> TryRecord:
    """How it went (`worked`, `partly`, `did_not`), a short reflection, and whether to share it."""
    return loop.record_outcome(try_id, body, caller(request, key))


@router.get("/v1/tries", response_model=LearnerTries)
def list_tries(
    learner: Learner, request: Request, loop: LoopDep, key: WidgetOrAdminKey
) -> LearnerTries:
    """The learner's own tries, open and closed, with which are due a 'How did it go?'."""
    return loop.learner_tries(learner, caller(request, key))


@router.delete("/v1/tries/{try_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_try(
    try_id: str, request: Request, loop: LoopDep, key: WidgetOrAdminKey,
    learner: Annotated[LearnerId | None, Query(description="must own the try")] = None,
) -> Response:
    """Delete a try, and its reflection wherever it was shared."""
    loop.delete(try_id, caller(request, key), learner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/v1/learners/{learner}", response_model=ForgetLearnerReport)
def forget_learner(
    learner: LearnerId, request: Request, loop: LoopDep, key: WidgetOrAdminKey
) -> ForgetLearnerReport:
    """Forget a learner: every try, outcome and reflection (widget keys: their site's only)."""
    return loop.forget_learner(learner, caller(request, key))


@router.get("/v1/impact", response_model=Impact)
def impact(
    loop: LoopDep, key: AdminKey,
    weeks: Annotated[int, Query(ge=1, le=520, description="weeks of questions counted")] = 26,
) -> Impact:
    """Questions, tries, outcomes and reflections per week, per tip, topic and series."""
    return loop.impact(weeks)
