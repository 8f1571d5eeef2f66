"""The peers feature's part of forgetting a person: no record they were suggested."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.traces import Traces
from companion.features.peers.history import SCHEMA as HISTORY
from companion.features.peers.turn_vectors import SCHEMA as TURN_VECTORS
from companion.retrieval.context import Context


def forget_in_peers(
    ctx: Context, person_id: str, traces: Traces, sessions: Sequence[str]
) -> Mapping[str, int]:
    """Forget that the person was suggested, and the cached vectors of redacted sessions' turns."""
    ctx.catalog.ensure_schema(HISTORY)
    ctx.catalog.ensure_schema(TURN_VECTORS)
    with ctx.catalog.transaction() as conn:
        gone = conn.execute(
            "DELETE FROM peer_recommendations WHERE person_id = ?", (person_id,)
        ).rowcount
        conn.executemany(
            "DELETE FROM peer_turn_vectors WHERE session_id = ?", [(s,) for s in sessions]
        )
    return {"peer_suggestions_removed": max(0, gone)}
