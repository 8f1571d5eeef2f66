"""The feedback feature as the composition root wires it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.feature import Feature, Migration
from companion.core.traces import Traces
from companion.features.feedback.store import FEEDBACK_SCHEMA, RESOLUTIONS_SCHEMA, FeedbackStore
from companion.retrieval.context import Context
from ingest.tombstones import REDACTED_TEXT as REDACTED

MIGRATIONS = (
    Migration("feedback", 1, FEEDBACK_SCHEMA),
    Migration("feedback", 2, RESOLUTIONS_SCHEMA),
)

def build(ctx: Context) -> Feature:
    """The feedback feature: readers' feedback, redacted when someone is forgotten."""
    store = FeedbackStore(ctx.catalog)

    def forget(person: str, traces: Traces, sessions: Sequence[str]) -> Mapping[str, int]:
        return {"feedback_redacted": store.redact(traces, REDACTED)}

    return Feature(
        name="feedback", service=store, tables=("feedback", "feedback_resolutions"),
        forget=forget,
    )
