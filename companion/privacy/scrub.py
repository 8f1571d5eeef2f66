"""Copies of a forgotten person's words beyond the sessions: tips, summaries, feedback, peers."""

from __future__ import annotations

from collections.abc import Sequence

from companion.context import Context
from companion.privacy.tombstones import REDACTED_TEXT
from companion.privacy.traces import Traces


def has_table(ctx: Context, name: str) -> bool:
    """True when a feature has created this table in the catalog."""
    row = ctx.catalog.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def reanchor_tips(ctx: Context, traces: Traces) -> int:
    """Move tip anchors off the person's words; returns how many tips moved.

    A tip is identified by the quote that created it; when that quote was theirs, the tip
    re-anchors on a remaining quote, or (a reviewed tip with none left) on its edited wording.
    """
    if not has_table(ctx, "tips"):
        return 0
    from companion.tips.store import TipStore

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
    if has_table(ctx, "tip_wordings"):
        # An LLM wording drawn from their quotes must not outlive them.
        from companion.tips.wording_cache import WordingCache, current_quote_hashes

        WordingCache(ctx.catalog).prune(current_quote_hashes(store.quotes()))
    return moved


def refresh_summaries(ctx: Context, traces: Traces) -> int:
    """Regenerate every cached summary that quotes or names the person; returns how many."""
    if not has_table(ctx, "session_summaries"):
        return 0
    from companion.summaries.service import SummaryService

    rows = ctx.catalog.conn.execute("SELECT session_id, body FROM session_summaries").fetchall()
    stale = [r[0] for r in rows if traces.quoted_in(r[1]) or traces.named_in(r[1])]
    service = SummaryService(ctx)
    for session_id in stale:
        service.summary(session_id, refresh=True)
    return len(stale)


def redact_feedback(ctx: Context, traces: Traces) -> int:
    """Replace answers and citations in reader feedback that quote the person."""
    if not has_table(ctx, "feedback"):
        return 0
    rows = ctx.catalog.conn.execute("SELECT id, answer, citation FROM feedback").fetchall()
    hits = [r[0] for r in rows if traces.quoted_in(r[1]) or traces.quoted_in(r[2])]
    with ctx.catalog.transaction() as conn:
        conn.executemany(
            "UPDATE feedback SET answer = ?, citation = ? WHERE id = ?",
            [(REDACTED_TEXT, REDACTED_TEXT, i) for i in hits],
        )
    return len(hits)


def drop_peer_records(ctx: Context, person_id: str, session_ids: Sequence[str]) -> None:
    """Forget that the person was suggested, and the cached vectors of redacted sessions' turns."""
    with ctx.catalog.transaction() as conn:
        if has_table(ctx, "peer_recommendations"):
            conn.execute("DELETE FROM peer_recommendations WHERE person_id = ?", (person_id,))
        if has_table(ctx, "peer_turn_vectors"):
            conn.executemany(
                "DELETE FROM peer_turn_vectors WHERE session_id = ?",
                [(s,) for s in session_ids],
            )
