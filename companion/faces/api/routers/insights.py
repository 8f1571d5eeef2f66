"""`GET /v1/insights` (admin): what learners asked, what went unanswered, weekly counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from companion.faces.api.deps import AdminKey, InsightsDep
from companion.features.insights.models import Insights

router = APIRouter(prefix="/v1", tags=["insights"])


@router.get("/insights", response_model=Insights)
def insights_report(
    insights: InsightsDep,
    key: AdminKey,
    weeks: Annotated[int, Query(ge=1, le=104, description="weeks of counts")] = 12,
    limit: Annotated[int, Query(ge=1, le=500, description="most questions listed")] = 20,
) -> Insights:
    """What learners asked: unanswered questions first, then counts (admin keys only).

    `unanswered` lists questions most asked first, each with `count` and `last_asked`; also
    weekly counts, the answered share, tips viewed, peers suggested and feedback.
    """
    return insights.report(weeks=weeks, limit=limit)
