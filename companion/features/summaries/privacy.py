"""The summaries feature's part of forgetting a person: no cached summary keeps their words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.traces import Traces
from companion.features.summaries.service import SummaryService
from companion.features.summaries.store import SummaryStore
from companion.retrieval.context import Context


def refresh_summaries(ctx: Context, traces: Traces) -> int:
    """Regenerate every cached summary that quotes or names the person; returns how many."""
    store = SummaryStore(ctx.catalog)
    rows = ctx.catalog.conn.execute("SELECT session_id, body FROM session_summaries").fetchall()
    stale = [r[0] for r in rows if traces.quoted_in(r[1]) or traces.named_in(r[1])]
    service = SummaryService(ctx)
    for session_id in stale:
        store.delete(session_id)
        service.summary(session_id, refresh=True)
    return len(stale)


def forget_in_summaries(
    ctx: Context, person_id: str, traces: Traces, sessions: Sequence[str]
) -> Mapping[str, int]:
    """The forget hook: refresh the summaries that quote or name the person."""
    return {"summaries_refreshed": refresh_summaries(ctx, traces)}
