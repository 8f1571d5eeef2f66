"""The insights feature as the composition root wires it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.feature import Feature, Migration
from companion.core.traces import Traces
from companion.features.insights.service import InsightsService
from companion.features.insights.store import INSIGHTS_SCHEMA, TABLES, InsightsStore
from companion.retrieval.context import Context

MIGRATIONS = (Migration("insights", 1, INSIGHTS_SCHEMA),)


def build(ctx: Context) -> Feature:
    """The learner-question log: what was asked, answered or not; forget deletes mentions."""
    service = InsightsService(InsightsStore(ctx.catalog), ctx.settings.web.questions_retention_days)

    def forget(person: str, traces: Traces, sessions: Sequence[str]) -> Mapping[str, int]:
        return {"learner_questions_deleted": service.forget(traces)}

    return Feature(
        name="insights", service=service, tables=TABLES, forget=forget,
    )
