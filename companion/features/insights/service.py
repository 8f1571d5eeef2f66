"""Records what learners ask and reports it: unanswered questions, weekly counts, usage."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from companion.core.schemas import Answer
from companion.core.terms import STOPWORDS, stem, words
from companion.core.traces import Traces
from companion.features.insights.models import (
    Insights,
    TopicCount,
    UnansweredQuestion,
    WeekCount,
)
from companion.features.insights.store import InsightsStore, normalise_question

TIPS_VIEWED = "tips_viewed"
PEERS_SUGGESTED = "peers_suggested"


def confidence_of(answer: Answer) -> float | None:
    """The answer's own confidence if it has one, else the share of sentences verified."""
    own = getattr(answer, "confidence", None)
    if isinstance(own, int | float):
        return float(own)
    v = answer.verification
    if answer.abstained or v is None or v.kept + v.dropped == 0:
        return None
    return round(v.kept / (v.kept + v.dropped), 3)


def week_of(iso_time: str) -> str:
    """The Monday of the week an ISO time falls in."""
    day = date.fromisoformat(iso_time[:10])
    return (day - timedelta(days=day.weekday())).isoformat()


def top_topics(questions: list[str], limit: int) -> list[TopicCount]:
    """The content words most questions use, grouped by stem, named by their commonest form."""
    per_stem: dict[str, Counter[str]] = {}
    for q in questions:
        seen: dict[str, str] = {}
        for w in words(q):
            if w not in STOPWORDS and len(w) > 2 and not w.isdigit():
                seen.setdefault(stem(w), w)
        for s, w in seen.items():
            per_stem.setdefault(s, Counter())[w] += 1
    ranked = sorted(per_stem.values(), key=lambda c: -sum(c.values()))
    return [TopicCount(topic=c.most_common(1)[0][0], count=sum(c.values()))
            for c in ranked[:limit]]


class InsightsService:
    """The learner-question log.

    Args:
        store: the insights tables.
        retention_days: questions older than this are deleted as new ones come (None: kept).
    """

    def __init__(self, store: InsightsStore, retention_days: int | None) -> None:
        self.store = store
        self.retention_days = retention_days

    def record(self, question: str, answer: Answer, key_id: str | None = None) -> int:
        """Log a question and whether it was answered; applies retention."""
        text = " ".join(question.split())
        if self.retention_days is not None:
            self.store.purge_before(self.retention_days)
        return self.store.add(text, key_id, not answer.abstained, confidence_of(answer))

    def record_feedback(self, question: str | None, feedback_id: int, kind: str) -> bool:
        """Link feedback to the asking it was about (by the question's text)."""
        if not question or not question.strip():
            return False
        return self.store.link_feedback(question, feedback_id, kind)

    def count(self, kind: str, n: int = 1) -> None:
        """Count a use (e.g. `TIPS_VIEWED`, `PEERS_SUGGESTED`)."""
        self.store.bump(kind, n)

    def report(self, weeks: int = 12, limit: int = 20) -> Insights:
        """Unanswered questions (most asked first), weekly counts, usage and feedback."""
        rows = self.store.rows()
        groups: dict[str, dict[str, Any]] = {}
        for r in rows:
            g = groups.setdefault(r["normalised"], {"count": 0, "unanswered": 0})
            g["count"] += 1
            g["question"], g["last_asked"] = r["question"], r["asked_at"]
            g["unanswered"] += 0 if r["answered"] else 1

        def items(keep: Any) -> list[UnansweredQuestion]:
            chosen = [g for g in groups.values() if keep(g)]
            chosen.sort(key=lambda g: (-g["count"], g["last_asked"]), reverse=False)
            return [UnansweredQuestion(question=g["question"], count=g["count"],
                                       last_asked=g["last_asked"]) for g in chosen[:limit]]

        answered = sum(1 for r in rows if r["answered"])
        return Insights(
            total=len(rows), answered=answered,
            answered_share=round(answered / len(rows), 3) if rows else None,
            unanswered=items(lambda g: g["unanswered"] > 0),
            weekly=self._weekly(rows, weeks),
            top_questions=items(lambda g: True),
            top_topics=top_topics([r["question"] for r in rows], limit=10),
            usage=self.store.usage(),
            feedback=dict(Counter(r["feedback_kind"] for r in rows if r["feedback_kind"])),
        )

    @staticmethod
    def _weekly(rows: list[Any], weeks: int) -> list[WeekCount]:
        this_week = week_of(datetime.now(UTC).isoformat())
        first = date.fromisoformat(this_week) - timedelta(weeks=max(weeks, 1) - 1)
        counts = {(first + timedelta(weeks=i)).isoformat(): [0, 0] for i in range(weeks)}
        for r in rows:
            week = week_of(r["asked_at"])
            if week in counts:
                counts[week][0] += 1
                counts[week][1] += 1 if r["answered"] else 0
        return [WeekCount(week=w, asked=a, answered=b, unanswered=a - b)
                for w, (a, b) in counts.items()]

    def forget(self, traces: Traces) -> int:
        """Delete logged questions that name or quote a forgotten person."""
        hits = [r["id"] for r in self.store.rows()
                if traces.named_in(r["question"]) or traces.quoted_in(r["question"])]
        return self.store.delete(hits)

    def purge(self) -> int:
        """Apply the retention period now; returns how many questions went."""
        if self.retention_days is None:
            return 0
        return self.store.purge_before(self.retention_days)


__all__ = ["InsightsService", "PEERS_SUGGESTED", "TIPS_VIEWED", "normalise_question"]
