"""Keeps the tip registry in step with sessions, and applies facilitators' reviews.

Updating one session embeds only that session's advice quotes and assigns them against the
stored registry (`TipIndex`), inside one catalog transaction. Ids are stable: a quote already
seen keeps its tip, a paraphrase joins the tip it paraphrases (merged tips redirect to their
survivor), and a new tip takes its id from the content hash of the quote that created it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from companion.core.errors import InputError, NotFoundError
from companion.core.schemas import Session
from companion.features.tips.actions import advice_of, session_advice
from companion.features.tips.clustering import Member, TipIndex, contradiction_pairs
from companion.features.tips.extraction import Candidate, extract_candidates
from companion.features.tips.models import ReviewAction
from companion.features.tips.rebuild import carry_ids
from companion.features.tips.store import TipStore
from companion.features.tips.weights import TermWeights
from companion.retrieval.context import Context

SYSTEM = "companion"
MAX_EDIT_CHARS = 400


def tip_id_for(quote_hash: str) -> str:
    """The id of a tip created by a quote with this content hash."""
    return f"tip-{quote_hash[:10]}"


@dataclass
class UpdateReport:
    """What one registry update did."""

    quotes: int = 0
    created: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    removed_tips: int = 0


class TipRegistry:
    """Writes the registry: session updates, removals, rebuilds and reviews.

    Args:
        ctx: the stores and the embedding model.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.tips
        self.store = TipStore(ctx.catalog)
        # (quote, quote) -> opposed and close enough to link: vectors come from the quotes
        # through this one model and the thresholds are fixed, so verdicts stay valid.
        self._verdicts: dict[tuple[str, str], bool] = {}

    # -- keeping in step with sessions -------------------------------------------------------

    def update_session(self, session: Session) -> UpdateReport:
        """Replace one session's quotes: assign its advice to existing tips or new ones."""
        candidates, vectors = session_advice(session, self.settings, self.ctx.embeddings.embed_many)
        with self.ctx.catalog.transaction() as conn:
            return self._assign(conn, [session.id], candidates, vectors)

    def remove_session(self, session_id: str) -> UpdateReport:
        """Drop a session's quotes; tips left with none disappear (reviewed ones stay hidden)."""
        with self.ctx.catalog.transaction() as conn:
            report = self._assign(conn, [session_id], [], [])
            self._reanchor(conn, session_id)
            return report

    def rebuild(self) -> UpdateReport:
        """Re-extract and re-cluster every session from scratch, oldest first.

        Tip ids carry over (see `rebuild.carry_ids`), and with them review decisions.
        """
        catalog = self.ctx.catalog
        ids = [s.id for s in sorted(catalog.list_sessions(), key=lambda s: (s.date or "", s.id))]
        candidates: list[Candidate] = []
        for session_id in ids:
            candidates.extend(extract_candidates(
                catalog.load_session(session_id), self.settings, self.ctx.embeddings.embed_many))
        candidates, vectors = self._advice(candidates)
        with catalog.transaction() as conn:
            return self._recluster(conn, candidates, vectors)

    def _recluster(
        self, conn: sqlite3.Connection, candidates: Sequence[Candidate], vectors: Sequence[Any]
    ) -> UpdateReport:
        report = UpdateReport(quotes=len(candidates))
        tips = self.store.tips()
        redirects = {t.id: t.merged_into for t in tips.values() if t.merged_into}
        index = TipIndex(self.settings, redirects, TermWeights(self.ctx.catalog))
        previous = {q.quote_hash: index.resolve(q.tip_id) for q in self.store.quotes()}
        index.prime(vectors)
        conn.execute("DELETE FROM tip_quotes")
        clusters: dict[str, list[int]] = {}
        for i, (cand, vector) in enumerate(zip(candidates, vectors, strict=True)):
            match = index.match(cand.quote, vector, session=cand.session_id)
            key = match[0] if match else f"new:{i}"
            clusters.setdefault(key, []).append(i)
            index.add(index.member(key, cand.quote, vector, session=cand.session_id))
        groups = list(clusters.values())
        merged = {row["tip_id"] for row in conn.execute(
            "SELECT DISTINCT tip_id FROM tip_history WHERE action = 'merge'")}
        final = carry_ids(
            [[candidates[i].quote_hash for i in g] for g in groups], previous, merged,
            fresh_id=tip_id_for,
        )
        existing = set(tips)
        for tip_id, group in zip(final, groups, strict=True):
            first = candidates[group[0]]
            if tip_id not in existing:
                anchor = vectors[group[0]]
                self.store.create_tip(conn, tip_id, anchor, first.quote, first.session_id)
                self.store.record(conn, tip_id, "created", SYSTEM, f"from {first.session_id}")
                report.created.append(tip_id)
                existing.add(tip_id)
            for i in group:
                self._insert(conn, tip_id, candidates[i], vectors[i])
        self._relink()
        report.removed_tips = self.store.drop_orphans(conn)
        return report

    def _insert(self, conn: sqlite3.Connection, tip_id: str, cand: Candidate, vector: Any) -> None:
        values = {**cand.__dict__, "quote_hash": cand.quote_hash, "vector": vector}
        self.store.insert_quote(conn, tip_id, values)

    def _advice(self, candidates: list[Candidate]) -> tuple[list[Candidate], list[Any]]:
        """The candidates that are not housekeeping, with their vectors."""
        return advice_of(candidates, self.settings, self.ctx.embeddings.embed_many)

    def _assign(
        self,
        conn: sqlite3.Connection,
        session_ids: Sequence[str],
        candidates: Sequence[Candidate],
        vectors: Sequence[Any],
    ) -> UpdateReport:
        report = UpdateReport(quotes=len(candidates))
        known = self.store.session_quote_tips(conn, session_ids)
        self.store.delete_session_quotes(conn, session_ids)
        index = self._index()
        index.prime(vectors)
        touched = set(known.values()) | {index.resolve(t) for t in known.values()}
        for cand, vector in zip(candidates, vectors, strict=True):
            tip_id = self._place(conn, index, cand, vector, known, report)
            self._insert(conn, tip_id, cand, vector)
            index.add(index.member(tip_id, cand.quote, vector, session=cand.session_id))
            touched.add(tip_id)
        self._relink(touched)
        report.removed_tips = self.store.drop_orphans(conn)
        return report

    def _place(
        self,
        conn: sqlite3.Connection,
        index: TipIndex,
        cand: Candidate,
        vector: Any,
        known: dict[str, str],
        report: UpdateReport,
    ) -> str:
        """The tip a candidate belongs to, creating it when the advice is new."""
        if cand.quote_hash in known:  # the same words as before keep their tip
            return index.resolve(known[cand.quote_hash])
        match = index.match(cand.quote, vector, session=cand.session_id)
        if match is not None:
            report.joined.append(match[0])
            return match[0]
        tip_id = index.resolve(tip_id_for(cand.quote_hash))
        if self.store.tip(tip_id) is None:
            self.store.create_tip(conn, tip_id, vector, cand.quote, cand.session_id)
            self.store.record(conn, tip_id, "created", SYSTEM, f"from {cand.session_id}")
            report.created.append(tip_id)
            index.add(index.member(tip_id, cand.quote, vector, session=cand.session_id))
        return tip_id

    def _index(self) -> TipIndex:
        """Every stored quote and every tip's anchor, ready for matching."""
        tips = self.store.tips()
        redirects = {t.id: t.merged_into for t in tips.values() if t.merged_into}
        index = TipIndex(self.settings, redirects, TermWeights(self.ctx.catalog))
        quotes = self.store.quotes()
        index.extend(index.member(q.tip_id, q.quote, q.vector, session=q.session_id)
                     for q in quotes)
        # A tip with no quotes left (its session is being replaced, or it was merged away)
        # is still found again through the quote that created it.
        held = {q.tip_id for q in quotes}
        index.extend(
            index.member(t.id, t.anchor_quote, t.anchor, session=t.anchor_session or "")
            for t in tips.values() if t.id not in held
        )
        return index

    def _relink(self, touched: set[str] | None = None) -> None:
        """Recompute contradiction links from the stored quotes (no embedding).

        Args:
            touched: the tips an update gave or took quotes; only their links are recomputed,
                the others kept. None recomputes every link (rebuilds, merges).
        """
        conn = self.ctx.catalog.conn
        members = [Member(q.tip_id, q.quote, q.vector) for q in self.store.quotes()]
        cfg = self.settings
        lexical = cfg.lexical_weight
        if touched is None:
            pairs = contradiction_pairs(members, cfg.contradiction_similarity,
                                        lexical_weight=lexical, verdicts=self._verdicts)
        else:
            kept = {(min(a, b), max(a, b)) for a, linked in self.store.links().items()
                    for b in linked if a not in touched and b not in touched}
            pairs = kept | contradiction_pairs(
                members, cfg.contradiction_similarity, among=touched, lexical_weight=lexical,
                verdicts=self._verdicts,
            )
        self.store.replace_links(conn, pairs)

    def _reanchor(self, conn: sqlite3.Connection, session_id: str) -> None:
        """Move anchors off a removed session, so none of its words are kept.

        A tip re-anchors on a remaining quote; a reviewed tip with none keeps only its vector.
        """
        for tip in self.store.tips().values():
            if tip.anchor_session != session_id:
                continue
            remaining = self.store.quotes([tip.id])
            if remaining:
                q = remaining[0]
                self.store.set_anchor(conn, tip.id, q.vector, q.quote, q.session_id)
            else:
                self.store.set_anchor(conn, tip.id, tip.anchor, tip.edited_text or "", None)

    # -- review ------------------------------------------------------------------------------

    def review(
        self,
        tip_id: str,
        action: ReviewAction,
        by: str,
        text: str | None = None,
        other_id: str | None = None,
    ) -> str:
        """Approve, retire, re-word or merge a tip; returns the id of the tip reviewed.

        `merge` folds `other_id` into `tip_id`: the other tip's quotes move here and its id
        redirects here from then on, across re-ingests and rebuilds.
        """
        by = by.strip() or "unknown"
        with self.ctx.catalog.transaction() as conn:
            tip = self._reviewable(tip_id)
            if action == "approve":
                self.store.set_review(conn, tip.id, status="approved")
                self.store.record(conn, tip.id, "approve", by)
            elif action == "retire":
                self.store.set_review(conn, tip.id, status="retired")
                self.store.record(conn, tip.id, "retire", by)
            elif action == "edit":
                wording = " ".join((text or "").split())
                if not wording or len(wording) > MAX_EDIT_CHARS:
                    raise InputError(
                        f"--edit needs new wording of 1 to {MAX_EDIT_CHARS} characters"
                    )
                self.store.set_review(conn, tip.id, edited_text=wording)
                self.store.record(conn, tip.id, "edit", by, wording)
            elif action == "merge":
                other = self._reviewable(other_id or "")
                if other.id == tip.id:
                    raise InputError(f"cannot merge {tip.id} into itself")
                self.store.set_review(conn, other.id, merged_into=tip.id)
                self.store.record(conn, tip.id, "merge", by, other.id)
                self.store.record(conn, other.id, "merged-into", by, tip.id)
                self._relink()
            else:
                raise InputError(f"unknown review action '{action}'")
        return tip.id

    def _reviewable(self, tip_id: str) -> Any:
        tip = self.store.tip(tip_id)
        if tip is None:
            raise NotFoundError(f"no tip with id '{tip_id}'")
        if tip.merged_into:
            raise InputError(f"tip {tip_id} was merged into {tip.merged_into}; review that one")
        return tip
