"""The summaries feature as the composition root wires it."""

from __future__ import annotations

from companion.core.feature import Feature, Migration
from companion.features.summaries.listener import SummariesListener
from companion.features.summaries.privacy import forget_in_summaries
from companion.features.summaries.service import SummaryService
from companion.features.summaries.store import SCHEMA, SummaryStore
from companion.retrieval.context import Context

MIGRATIONS = (Migration("summaries", 1, SCHEMA),)

def build(ctx: Context) -> Feature:
    """The summaries feature: summary on ingest, refreshed when someone is forgotten."""
    return Feature(
        name="summaries",
        service=SummaryService(ctx),
        listener=SummariesListener(ctx),
        tables=("session_summaries",),
        forget=lambda person, traces, sessions: forget_in_summaries(ctx, person, traces, sessions),
        before_redact=lambda session_id: SummaryStore(ctx.catalog).delete(session_id),
    )
