"""The learning loop: a learner tries a tip or an answer, says how it went, maybe shares why.

Widget keys act only for learners bound to their own origin; admin keys (facilitators, the CLI)
may act for any learner. Unshared reflections are returned only to their learner; everyone else
sees counts. Shared ones become citable sessions through the ingest pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from companion.core.errors import ForbiddenError, InputError, NotFoundError
from companion.core.settings import LoopSettings
from companion.core.traces import Traces
from companion.features.loop.impact import Impact, QuestionsByWeek, build_impact
from companion.features.loop.models import (
    ForgetLearnerReport,
    LearnerTries,
    OutcomeIn,
    TryCreated,
    TryIn,
    TryRecord,
)
from companion.features.loop.reflections import ReflectionPublisher
from companion.features.loop.store import TryStore
from companion.features.tips.feature import TipService
from companion.features.tips.models import ReflectionQuote, Tip, TipOutcomes
from companion.retrieval.context import Context
from ingest.audit import AuditLog
from ingest.service import PipelineFactory
from ingest.tombstones import REDACTED_TEXT


@dataclass(frozen=True)
class Caller:
    """Who asks: an actor for the audit log and, for widget keys, the page's origin."""

    actor: str
    key_id: str | None = None
    origin: str | None = None
    widget: bool = False


class LoopService:
    """Tries, outcomes, reflections; tip evidence and impact for everyone else.

    Args:
        ctx: the stores and settings.
        tips: the tips service (tip ids are checked against it; tips read outcomes from here).
        pipeline: builds the ingest pipeline that stores shared reflections.
        questions: weekly counts of questions learners asked (for impact), if logged.
    """

    def __init__(
        self, ctx: Context, tips: TipService, pipeline: PipelineFactory,
        questions: QuestionsByWeek | None = None,
    ) -> None:
        self.ctx = ctx
        self.tips = tips
        self.questions = questions
        self.store = TryStore(ctx.catalog)
        self.publisher = ReflectionPublisher(pipeline)

    @property
    def settings(self) -> LoopSettings:
        """The loop's settings."""
        return self.ctx.settings.loop

    @property
    def audit(self) -> AuditLog:
        """The audit log."""
        return AuditLog(self.ctx.catalog)

    # -- a learner's tries -------------------------------------------------------------------

    def start(self, item: TryIn, caller: Caller) -> TryCreated:
        """Record 'I'll try this' for a tip or an answer.

        Raises:
            NotFoundError: No tip with that id.
            ForbiddenError: The learner belongs to another site's widget.
        """
        self.apply_retention(caller.actor)
        tip_id = self.tips.views.resolve(item.tip_id) if item.tip_id else None
        if caller.widget:
            origin = caller.origin or ""
            if self.store.bind(item.learner, origin) != origin:
                raise ForbiddenError("this learner id is used by another site's widget")
        row = self.store.add(item.learner, tip_id, item.question, caller.key_id, caller.origin)
        self.audit.record(caller.actor, "try.started", f"try:{row['id']}",
                          {"tip": tip_id, "question": item.question is not None})
        record = self._record(row)
        return TryCreated(id=row["id"], follow_up_at=record.follow_up_at or row["created_at"])

    def record_outcome(self, try_id: str, body: OutcomeIn, caller: Caller) -> TryRecord:
        """Record how it went; a shared reflection becomes citable, an unshared one never does.

        Raises:
            NotFoundError: No such try.
            ForbiddenError: Not this caller's learner.
            InputError: The reflection is longer than `loop.max_reflection_chars`.
        """
        row = self._owned(try_id, caller, body.learner)
        reflection = (body.reflection or "").strip() or None
        limit = self.settings.max_reflection_chars
        if reflection and len(reflection) > limit:
            raise InputError(
                f"the reflection is {len(reflection)} characters; at most {limit} are kept"
            )
        row = self.store.close(try_id, body.outcome, reflection, body.share and bool(reflection))
        self._sync_publication(row, caller.actor)
        self.audit.record(caller.actor, "try.outcome", f"try:{try_id}",
                          {"outcome": body.outcome, "reflection": reflection is not None,
                           "shared": bool(row["share"])})
        found = self.store.get(try_id)
        assert found is not None
        return self._record(found)

    def learner_tries(self, learner: str, caller: Caller) -> LearnerTries:
        """A learner's own tries, open and closed; nobody else's."""
        if caller.widget:
            bound = self.store.origin_of(learner)
            if bound is not None and bound != caller.origin:
                raise ForbiddenError("this learner id is used by another site's widget")
        rows = self.store.of_learner(learner)
        texts = {t.id: t.text for t in self.tips.views.list_tips(include_retired=True)} if any(
            r["tip_id"] for r in rows) else {}
        records = [self._record(r, texts) for r in rows]
        open_ = [r for r in records if r.outcome is None]
        return LearnerTries(
            learner=learner, open=open_, closed=[r for r in records if r.outcome is not None],
            due=sum(r.follow_up_due for r in open_), follow_up_days=self.settings.follow_up_days,
        )

    def delete(self, try_id: str, caller: Caller, learner: str | None = None) -> None:
        """Delete a try, and its reflection's session if it was shared."""
        row = self._owned(try_id, caller, learner)
        self._remove([row], caller.actor)
        self.audit.record(caller.actor, "try.deleted", f"try:{try_id}")

    # -- privacy -----------------------------------------------------------------------------

    def forget_learner(self, learner: str, caller: Caller) -> ForgetLearnerReport:
        """Delete every try of a learner, their shared reflections' sessions and their binding.

        Raises:
            ForbiddenError: A widget key of another site than the learner's.
        """
        if caller.widget and self.store.origin_of(learner) not in (None, caller.origin):
            raise ForbiddenError("this learner id is used by another site's widget")
        actor = caller.actor
        rows = self.store.of_learner(learner)
        report = ForgetLearnerReport(
            tries_removed=len(rows),
            reflections_unpublished=self._remove(rows, actor),
        )
        self.store.forget_learner(learner)
        # The audit names no learner: the id is what was forgotten.
        self.audit.record(actor, "learner.forgotten", "learner", report.model_dump())
        return report

    def apply_retention(self, actor: str, days: int | None = None) -> int:
        """Delete tries older than `days` (default `loop.retention_days`); returns how many."""
        days = self.settings.retention_days if days is None else days
        if days is None:
            return 0
        if days < 0:
            raise InputError(f"retention needs 0 or more days, not {days}")
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        rows = self.store.older_than(cutoff)
        if rows:
            self._remove(rows, actor)
            self.store.unbound_learners()
            self.audit.record(actor, "tries.purged", f"tries older than {cutoff[:10]}",
                              {"days": days, "deleted": len(rows)})
        return len(rows)

    def forget_person(self, traces: Traces, actor: str = "forget") -> dict[str, int]:
        """Redact reflections that quote or name a forgotten person (and unpublish them)."""
        hits = [r for r in self.store.all()
                if r["reflection"] and (traces.quoted_in(r["reflection"])
                                        or traces.named_in(r["reflection"]))]
        for row in hits:
            self.store.set_reflection(row["id"], REDACTED_TEXT)
            if row["reflection_session"]:
                self.publisher.unpublish(row["reflection_session"], actor)
                self.store.set_reflection_session(row["id"], None)
        return {"reflections_redacted": len(hits)}

    def session_removed(self, session_id: str) -> None:
        """A reflection's session went elsewhere (retention, `sessions delete`)."""
        self.store.session_gone(session_id)

    # -- evidence for tips (the tips service asks through `OutcomesProvider`) ---------------

    def outcomes(self, tip_ids: Sequence[str]) -> Mapping[str, TipOutcomes]:
        """Counts per tip; tries on a merged tip count for its survivor."""
        wanted = set(tip_ids)
        counts: dict[str, TipOutcomes] = {}
        for row in self._tries_of(wanted):
            o = counts.setdefault(row["_tip"], TipOutcomes())
            o.tried += 1
            if row["outcome"] in ("worked", "partly", "did_not"):
                setattr(o, row["outcome"], getattr(o, row["outcome"]) + 1)
        for o in counts.values():
            o.flagged = self._flagged(o)
        return counts

    def reflections(self, tip_id: str) -> list[ReflectionQuote]:
        """Shared reflections on a tip (newest first); never an unshared one."""
        rows = [r for r in self._tries_of({tip_id}) if r["share"] and r["reflection"]
                and r["reflection"] != REDACTED_TEXT]
        rows.sort(key=lambda r: r["outcome_at"] or "", reverse=True)
        return [
            ReflectionQuote(quote=r["reflection"], outcome=r["outcome"],
                            date=(r["outcome_at"] or "")[:10] or None,
                            session_id=r["reflection_session"])
            for r in rows
        ]

    def flagged_tips(self) -> list[str]:
        """Tips many tried and few found useful (for facilitators)."""
        return sorted(t for t, o in self.outcomes(self.store.tip_ids()).items() if o.flagged)

    def _flagged(self, o: TipOutcomes) -> bool:
        reported = o.worked + o.partly + o.did_not
        useful = o.worked + o.partly / 2
        return (reported >= self.settings.flag_min_outcomes
                and useful / reported < self.settings.flag_useful_share)

    def _tries_of(self, survivors: set[str]) -> list[dict[str, Any]]:
        """Tries whose tip is (or was merged into) one of `survivors`, tagged with it."""
        out = []
        resolved: dict[str, str | None] = {}
        for tip_id in self.store.tip_ids():
            try:
                resolved[tip_id] = self.tips.views.resolve(tip_id)
            except NotFoundError:
                resolved[tip_id] = None
        named = [t for t, s in resolved.items() if s in survivors]
        for row in self.store.of_tips(named):
            out.append({**row, "_tip": resolved[row["tip_id"]]})
        return out

    # -- impact ------------------------------------------------------------------------------

    def impact(self, weeks: int = 26) -> Impact:
        """Weekly questions, tries, outcomes and reflections, per tip, topic and series."""
        views = self.tips.views
        tips = views.list_tips(include_retired=True)
        titles: dict[str, str] = {}

        def series_of(tip: Tip) -> list[str]:
            for q in tip.quotes:
                if q.session_id not in titles:
                    row = self.ctx.catalog.session_row(q.session_id)
                    titles[q.session_id] = (row["series"] or row["title"]) if row else ""
            return sorted({titles[q.session_id] for q in tip.quotes} - {""})

        def survivor(tip_id: str) -> str | None:
            try:
                return views.resolve(tip_id)
            except NotFoundError:
                return None

        return build_impact(
            self.store.all(), tips, series_of, survivor,
            flagged=[t.id for t in tips if t.outcomes.flagged],
            questions=self.questions(weeks) if self.questions else None,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _owned(self, try_id: str, caller: Caller, learner: str | None) -> dict[str, Any]:
        row = self.store.get(try_id)
        if row is None:
            raise NotFoundError(f"no try with id '{try_id}'")
        if learner is not None and learner != row["learner"]:
            raise ForbiddenError("this try belongs to another learner")
        if caller.widget and self.store.origin_of(row["learner"]) != caller.origin:
            raise ForbiddenError("this try belongs to a learner of another site's widget")
        return row

    def _sync_publication(self, row: dict[str, Any], actor: str) -> None:
        """Make the citable session match the try: present iff shared."""
        if row["share"] and row["reflection"]:
            session_id = self.publisher.publish(row, self._subject(row), actor)
            self.store.set_reflection_session(row["id"], session_id)
        elif row["reflection_session"]:
            self.publisher.unpublish(row["reflection_session"], actor)
            self.store.set_reflection_session(row["id"], None)

    def _subject(self, row: dict[str, Any]) -> str:
        if row["tip_id"]:
            try:
                return self.tips.views.get(self.tips.views.resolve(row["tip_id"])).text
            except NotFoundError:
                return "a tip"
        return str(row["question"] or "an answer")

    def _remove(self, rows: Sequence[dict[str, Any]], actor: str) -> int:
        """Delete tries and unpublish their reflections; returns reflections unpublished."""
        unpublished = sum(
            self.publisher.unpublish(r["reflection_session"], actor)
            for r in rows if r["reflection_session"]
        )
        self.store.delete(r["id"] for r in rows)
        return unpublished

    def _record(self, row: dict[str, Any], tip_texts: Mapping[str, str] | None = None) -> TryRecord:
        subject = row["question"]
        if row["tip_id"] and tip_texts:
            try:
                subject = tip_texts.get(self.tips.views.resolve(row["tip_id"]))
            except NotFoundError:
                subject = None
        created = datetime.fromisoformat(row["created_at"])
        due_at = created + timedelta(days=self.settings.follow_up_days)
        is_open = row["outcome"] is None
        return TryRecord(
            id=row["id"], learner=row["learner"], tip_id=row["tip_id"],
            question=row["question"], subject=subject, created_at=row["created_at"],
            outcome=row["outcome"],
            reflection=row["reflection"], share=bool(row["share"]),
            outcome_at=row["outcome_at"], reflection_session=row["reflection_session"],
            follow_up_at=due_at.isoformat(timespec="seconds") if is_open else None,
            follow_up_due=is_open and datetime.now(UTC) >= due_at,
        )
