"""The tips feature's part of forgetting a person: anchors and LLM wordings off their words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.traces import Traces
from companion.features.tips.store import TipStore
from companion.features.tips.wording_cache import WordingCache, current_quote_hashes
from companion.retrieval.context import Context


def reanchor_tips(ctx: Context, traces: Traces) -> int:
    """Move tip anchors off the person's words; returns how many tips moved.

    A tip is identified by the quote that created it; when that quote was theirs, the tip
    re-anchors on a remaining quote, or (a reviewed tip with none left) on its edited wording.
    """
    store = TipStore(ctx.catalog)
    moved = 0
    with ctx.catalog.transaction() as conn:
        for tip in store.tips().values():
            if not traces.quoted_in(tip.anchor_quote):
                continue
            remaining = [q for q in store.quotes([tip.id]) if not traces.quoted_in(q.quote)]
            if remaining:
                q = remaining[0]
                store.set_anchor(conn, tip.id, q.vector, q.quote, q.session_id)
            else:
                wording = tip.edited_text or ""
                store.set_anchor(conn, tip.id, ctx.embeddings.embed_query(wording), wording, None)
            moved += 1
    # An LLM wording drawn from their quotes must not outlive them.
    WordingCache(ctx.catalog).prune(current_quote_hashes(store.quotes()))
    return moved


def forget_in_tips(
    ctx: Context, person_id: str, traces: Traces, sessions: Sequence[str]
) -> Mapping[str, int]:
    """The forget hook: re-anchor the tips that were anchored on the person's words."""
    return {"tips_reanchored": reanchor_tips(ctx, traces)}


def tip_quote_count(ctx: Context, session_id: str) -> Mapping[str, int]:
    """How many tip quotes come from a session."""
    TipStore(ctx.catalog)
    row = ctx.catalog.conn.execute(
        "SELECT count(*) FROM tip_quotes WHERE session_id = ?", (session_id,)
    ).fetchone()
    return {"tip_quotes": int(row[0])}
