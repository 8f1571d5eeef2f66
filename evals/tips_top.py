"""What a user sees first: the top tips against the gold of a corpus in the samples layout.

- Top-k precision: share of the first k ranked tips that match a gold tip not already matched
  higher up (a second fragment of the same advice counts as a miss: it wastes a slot).
- Top-k recall (3+): of the gold tips given in three or more sessions, the share whose best
  tip (the one covering most of its occurrences, see `tips_eval.covers`) is in the top k.
- Top-k support exact (3+): the same, and the tip's session count equals the gold's.
- Verbatim: share of the top k tips' quotes that are exact substrings of a turn of their session.

A tip matches the gold tip whose occurrences its quotes cover most (ties: first in the gold).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

TOP_K = 5
MANY_SESSIONS = 3


class _Gold(Protocol):
    id: str
    occurrences: Any


@dataclass
class TopFigures:
    """Figures of the first `k` tips."""

    k: int
    precision: float
    recall_3plus: float
    support_exact_3plus: float
    verbatim: float
    gold_3plus: int
    rows: list[dict[str, Any]]


def top_figures(
    tips: Sequence[Any],
    gold: Sequence[Any],
    covered: Callable[[Any, Any], set[int]],
    turn_text: Callable[[str], str],
    k: int = TOP_K,
) -> TopFigures:
    """Score the first `k` of `tips` (already ranked) against `gold`.

    Args:
        tips: ranked tips (`Tip`), best first.
        gold: gold tips (`GoldTip`).
        covered: (tip, gold tip) -> indexes of the gold occurrences the tip's quotes cover.
        turn_text: session id -> the session's turn texts joined (for the verbatim check).
        k: how many tips count as the top.
    """
    top = list(tips[:k])
    seen: set[str] = set()
    hits = 0
    rows: list[dict[str, Any]] = []
    for tip in top:
        counts = {g.id: len(covered(tip, g)) for g in gold}
        best = max(counts, key=lambda gid: counts[gid], default=None)
        label = best if best is not None and counts[best] else None
        fresh = label is not None and label not in seen
        hits += fresh
        if label:
            seen.add(label)
        rows.append({"tip": tip.id, "gold": label, "sessions": tip.support.sessions,
                     "speakers": tip.support.speakers, "text": tip.text})
    many = [g for g in gold if len({o.session for o in g.occurrences}) >= MANY_SESSIONS]
    in_top = exact = 0
    for g in many:
        scored = [(len(covered(t, g)), t.support.sessions, t) for t in tips]
        scored = [s for s in scored if s[0]]
        if not scored:
            continue
        best_tip = max(scored, key=lambda s: (s[0], s[1]))[2]
        if any(best_tip.id == t.id for t in top):
            in_top += 1
            exact += best_tip.support.sessions == len({o.session for o in g.occurrences})
    quotes = [q for t in top for q in t.quotes]
    verbatim = sum(q.quote in turn_text(q.session_id) for q in quotes)
    return TopFigures(
        k=k,
        precision=_share(hits, len(top) or k),
        recall_3plus=_share(in_top, len(many)),
        support_exact_3plus=_share(exact, len(many)),
        verbatim=_share(verbatim, len(quotes)),
        gold_3plus=len(many),
        rows=rows,
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0
