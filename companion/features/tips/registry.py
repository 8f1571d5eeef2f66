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
from companion.features.tips.actions import session_advice
from companion.features.tips.analysis import shared_analysis
from companion.features.tips.clustering import Member, TipIndex
from companion.features.tips.contradictions import contradiction_pairs
from companion.features.tips.extraction import Candidate
from companion.features.tips.merging import merges
from companion.features.tips.models import ReviewAction
from companion.features.tips.placement import place_session, session_index, tip_id_for
from companion.features.tips.rebuild import carry_ids, replay
from companion.features.tips.store import TipStore
from companion.features.tips.weights import TermWeights
from companion.retrieval.context import Context

SYSTEM = "companion"
MAX_EDIT_CHARS = 400


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
        # The summaries listener reads the same analysis of this session (embedded once).
        candidates, vectors = session_advice(session, self.settings, self.ctx.embeddings.embed_many,
                                             shared_analysis(self.ctx, session))
        upto = (session.date or "", session.id)
        with self.ctx.catalog.transaction() as conn:
            return self._assign(conn, [session.id], candidates, vectors, upto)

    def remove_session(self, session_id: str) -> UpdateReport:
        """Drop a session's quotes; tips left with none disappear (reviewed ones stay hidden)."""
        with self.ctx.catalog.transaction() as conn:
            report = self._assign(conn, [session_id], [], [])
            self._reanchor(conn, session_id)
            return report

    def rebuild(self) -> UpdateReport:
        """Re-extract and re-place every session from no tips, in date order (`rebuild.replay`).

        Tip ids carry over (see `rebuild.carry_ids`), and with them review decisions.
        """
        redirects = {t.id: t.merged_into for t in self.store.tips().values() if t.merged_into}
        placed = replay(self.ctx.catalog, self.settings, self.ctx.embeddings.embed_many,
                        redirects)
        with self.ctx.catalog.transaction() as conn:
            return self._recluster(conn, placed)

    def _recluster(
        self, conn: sqlite3.Connection, placed: Sequence[tuple[str, Candidate, Any]]
    ) -> UpdateReport:
        report = UpdateReport(quotes=len(placed))
        tips = self.store.tips()
        index = TipIndex(self.settings, {t.id: t.merged_into for t in tips.values()
                                         if t.merged_into})
        previous = {q.quote_hash: index.resolve(q.tip_id) for q in self.store.quotes()}
        conn.execute("DELETE FROM tip_quotes")
        clusters: dict[str, list[int]] = {}
        for i, (key, _, _) in enumerate(placed):
            clusters.setdefault(key, []).append(i)
        groups = list(clusters.values())
        merged = {row["tip_id"] for row in conn.execute(
            "SELECT DISTINCT tip_id FROM tip_history WHERE action = 'merge'")}
        final = carry_ids(
            [[placed[i][1].quote_hash for i in g] for g in groups], previous, merged,
            fresh_id=tip_id_for,
        )
        existing = set(tips)
        for tip_id, group in zip(final, groups, strict=True):
            if tip_id not in existing:
                _, first, anchor = placed[group[0]]
                self._create(conn, tip_id, first, anchor)
                report.created.append(tip_id)
                existing.add(tip_id)
            for i in group:
                self._insert(conn, tip_id, placed[i][1], placed[i][2])
        self._relink()
        report.removed_tips = self.store.drop_orphans(conn)
        return report

    def _insert(self, conn: sqlite3.Connection, tip_id: str, cand: Candidate, vector: Any) -> None:
        values = {**cand.__dict__, "quote_hash": cand.quote_hash, "vector": vector}
        self.store.insert_quote(conn, tip_id, values)

    def _create(self, conn: sqlite3.Connection, tip_id: str, cand: Candidate, vector: Any) -> None:
        self.store.create_tip(conn, tip_id, vector, cand.quote, cand.session_id)
        self.store.record(conn, tip_id, "created", SYSTEM, f"from {cand.session_id}")

    def _assign(
        self,
        conn: sqlite3.Connection,
        session_ids: Sequence[str],
        candidates: Sequence[Candidate],
        vectors: Sequence[Any],
        upto: tuple[str, str] | None = None,
    ) -> UpdateReport:
        report = UpdateReport(quotes=len(candidates))
        known = self.store.session_quote_tips(conn, session_ids)
        self.store.delete_session_quotes(conn, session_ids)
        index = self._index(upto)
        touched = set(known.values()) | {index.resolve(t) for t in known.values()}
        placement = place_session(
            index, candidates, vectors, known,
            exists=lambda tip_id: self.store.tip(tip_id) is not None,
            create=lambda tip_id, cand, vector: self._create(conn, tip_id, cand, vector),
        )
        report.created, report.joined = placement.created, placement.joined
        for tip_id, cand, vector in zip(placement.tip_ids, candidates, vectors, strict=True):
            if tip_id is None:
                continue  # a second-chance sentence that joined no tip is not kept
            self._insert(conn, tip_id, cand, vector)
            touched.add(tip_id)
        folded = self._merge_paraphrases(conn, upto)
        self._relink(touched | set(folded) | set(folded.values()))
        report.removed_tips = self.store.drop_orphans(conn)
        return report

    def _merge_paraphrases(
        self, conn: sqlite3.Connection, upto: tuple[str, str] | None
    ) -> dict[str, str]:
        """Fold tips that paraphrase each other into one (`merging`), as a rebuild's replay does.

        A reviewed tip is never folded away (its review would be lost); it can take others in.
        """
        tips = self.store.tips()
        members = [Member(q.tip_id, q.quote, q.vector, session=q.session_id)
                   for q in self.store.quotes()]
        reviewed = {t.id for t in tips.values()
                    if t.status != "unreviewed" or t.edited_text or t.merged_into}
        folded = merges(members, self.settings, TermWeights(self.ctx.catalog, upto),
                        keep=reviewed.__contains__)
        for gone, survivor in folded.items():
            self.store.move_quotes(conn, gone, survivor)
            self.store.record(conn, survivor, "absorbed", SYSTEM, gone)
        return folded

    def _index(self, upto: tuple[str, str] | None) -> TipIndex:
        """Every stored quote and every tip's anchor, ready for matching (`session_index`).

        Args:
            upto: (date, id) of the session being placed: IDF counts the sessions up to it.
        """
        tips = self.store.tips()
        quotes = [Member(q.tip_id, q.quote, q.vector, session=q.session_id)
                  for q in self.store.quotes()]
        anchors = [Member(t.id, t.anchor_quote, t.anchor, session=t.anchor_session or "")
                   for t in tips.values()]
        redirects = {t.id: t.merged_into for t in tips.values() if t.merged_into}
        weigh = TermWeights(self.ctx.catalog, upto)
        return session_index(self.settings, redirects, weigh, quotes, anchors)

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
