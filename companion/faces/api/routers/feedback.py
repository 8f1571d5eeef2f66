"""Feedback: anyone with a key may report; admins list what was reported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from companion.core.schemas import FeedbackKind
from companion.faces.api.deps import AdminKey, InsightsDep, ServicesDep, WidgetOrAdminKey
from companion.features.feedback.store import FeedbackIn, FeedbackRecord

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])


@router.post("", response_model=FeedbackRecord, status_code=status.HTTP_201_CREATED)
def give_feedback(
    item: FeedbackIn, request: Request, services: ServicesDep, key: WidgetOrAdminKey,
    insights: InsightsDep,
) -> FeedbackRecord:
    """Record that an answer helped or not, a citation was wrong, a link was broken..."""
    record = services.feedback.add(item, key_id=key.id, origin=request.headers.get("origin"))
    insights.record_feedback(item.question, record.id, record.kind)
    return record


@router.get("", response_model=list[FeedbackRecord])
def list_feedback(
    services: ServicesDep,
    key: AdminKey,
    kind: FeedbackKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FeedbackRecord]:
    """Feedback, newest first (admin only)."""
    return services.feedback.list(kind, limit)
