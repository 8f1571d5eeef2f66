"""Every item of a summary checked by the one `GroundingVerifier`; failures dropped and counted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from companion.core.grounding import GroundingVerifier
from companion.core.schemas import Evidence
from companion.features.summaries.models import (
    ActionItem,
    OpenQuestion,
    Summary,
    SummaryPoint,
    SummaryVerification,
)

Item = TypeVar("Item", SummaryPoint, ActionItem, OpenQuestion)


def _text(item: SummaryPoint | ActionItem | OpenQuestion) -> str:
    if isinstance(item, ActionItem):
        return item.what
    if isinstance(item, OpenQuestion):
        return item.question
    return item.text


class SummaryChecker:
    """Checks citations (quote in the cited turns) and support (text backed by the quotes).

    Args:
        verifier: the shared definition of grounded.
    """

    def __init__(self, verifier: GroundingVerifier) -> None:
        self.verifier = verifier
        self.tally = SummaryVerification()

    def why_not(self, text: str, citations: Sequence[Evidence]) -> str | None:
        """None when the item is grounded, else the reason it is not."""
        if not citations:
            return "no citation"
        if not all(self.verifier.citation_is_valid(c) for c in citations):
            return "quote not found in the cited turns"
        ok, reason = self.verifier.supports(text, [c.quote for c in citations])
        return None if ok else reason.split(" (")[0]

    def keep(self, items: Sequence[Item]) -> list[Item]:
        """The grounded items; the rest are counted by reason."""
        kept: list[Item] = []
        for item in items:
            if self.record(self.why_not(_text(item), item.citations)):
                kept.append(item)
        return kept

    def record(self, reason: str | None) -> bool:
        """Count one item as kept (no reason) or dropped; True when kept."""
        if reason is None:
            self.tally.kept += 1
            return True
        self.tally.dropped += 1
        self.tally.reasons[reason] = self.tally.reasons.get(reason, 0) + 1
        return False


def verify_summary(summary: Summary, verifier: GroundingVerifier) -> Summary:
    """The summary with only grounded items, and a tally of what was dropped and why."""
    check = SummaryChecker(verifier)
    participants = []
    for person in summary.participants:
        point = person.point
        if point is not None and not check.record(check.why_not(point.text, point.citations)):
            point = None
        participants.append(person.model_copy(update={"point": point}))
    return summary.model_copy(update={
        "overview": check.keep(summary.overview),
        "key_points": check.keep(summary.key_points),
        "tips": check.keep(summary.tips),
        "action_items": check.keep(summary.action_items),
        "open_questions": check.keep(summary.open_questions),
        "participants": participants,
        "verification": check.tally,
    })
