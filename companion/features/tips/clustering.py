"""Assign advice quotes to tips: paraphrases join, opposites stay apart and get linked.

Closeness of two quotes = cosine of their action vectors (`actions.action_vectors`) after
subtracting the corpus centroid (`similarity`: in one workplace, raw cosines of different advice
are as high as those of paraphrases) + `lexical_weight` x IDF-weighted overlap of stemmed terms.
Quotes are assigned one at a time in session order (online average-linkage agglomeration, which
is what makes the registry incremental): a quote joins, among the tips whose closest quote
reaches `same_tip_similarity`, the one with the highest average closeness, provided that average
reaches `cohesion`, every link reaches `link_floor`, no close quote of the tip advises the
opposite (`polarity`), and, when the tip already holds a quote of the same session, both bars
are `same_session_margin` higher. Otherwise it starts a new tip. Scores are ranked and bounded
by written pairs (`python -m evals.tips_pairs`); values are in `TipsSettings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from companion.core.settings import TipsSettings
from companion.features.tips.opposition import keeps_apart
from companion.features.tips.polarity import polarity
from companion.features.tips.similarity import Centroid, centred
from companion.features.tips.strength import strengths
from companion.features.tips.weights import Weigher, uniform_terms


@dataclass(frozen=True)
class Member:
    """A quote (or a tip's anchor) that new quotes are compared with."""

    tip_id: str
    quote: str
    vector: Any
    terms: Mapping[str, float] = field(default_factory=dict, compare=False)
    strength: float | None = field(default=None, compare=False)  # None: scored from the vector
    session: str = field(default="", compare=False)  # the session the quote comes from

    @classmethod
    def of(cls, tip_id: str, quote: str, vector: Any, weigh: Weigher = uniform_terms,
           strength: float | None = None) -> Member:
        """A member with its weighted content terms computed."""
        return cls(tip_id, quote, vector, weigh(quote), strength)



def term_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Weighted overlap coefficient: weight of the shared terms / weight of the lighter text."""
    if not a or not b:
        return 0.0
    shared = sum(min(w, b[t]) for t, w in a.items() if t in b)
    return shared / min(sum(a.values()), sum(b.values()))


class TipIndex:
    """The registry's quote vectors, grown as quotes are assigned.

    Args:
        settings: thresholds (`same_tip_similarity`, `cohesion`, `lexical_weight`,
            `contradiction_similarity`).
        redirects: merged tip id -> survivor id.
        weigh: weighted content terms of a text (IDF over the corpus in the registry).
    """

    def __init__(
        self,
        settings: TipsSettings,
        redirects: dict[str, str] | None = None,
        weigh: Weigher = uniform_terms,
    ) -> None:
        self.settings = settings
        self.weigh = weigh
        self.redirects = dict(redirects or {})
        self._members: list[Member] = []
        self._strength: list[float] = []  # advice strength of each member (see `strength`)
        self._weighed: dict[int, Mapping[str, float]] = {}
        self._rows: dict[str, list[int]] = {}  # surviving tip id -> its members' rows
        self._matrix: Any = None
        self._size = 0
        self._centroid: Centroid | None = None
        self._primed = False
        self._centred: Any = None  # centred rows, valid for `_centred_for`
        self._centred_for: tuple[int, int] = (-1, -1)  # (centroid count, rows)

    def resolve(self, tip_id: str) -> str:
        """The surviving tip for an id that may have been merged away."""
        seen = set()
        while tip_id in self.redirects and tip_id not in seen:
            seen.add(tip_id)
            tip_id = self.redirects[tip_id]
        return tip_id

    def member(
        self, tip_id: str, quote: str, vector: Any, strength: float | None = None,
        session: str = "",
    ) -> Member:
        """A member; its terms are weighed when a match first needs them (`_terms`)."""
        return Member(tip_id, quote, vector, strength=strength, session=session)

    def _terms(self, row: int) -> Mapping[str, float]:
        """The weighted terms of a member, computed once and only for members a match reads.

        Weighing every stored quote on each update cost more than the matching itself; only
        the members near a new quote, and the quotes of the tips they belong to, are read.
        """
        terms = self._weighed.get(row)
        if terms is None:
            member = self._members[row]
            terms = member.terms or self.weigh(member.quote)
            self._weighed[row] = terms
        return terms

    def sessions_of(self, tip_id: str) -> set[str]:
        """The sessions a tip's quotes come from."""
        return {self._members[i].session for i in self._rows.get(self.resolve(tip_id), [])}

    def add(self, member: Member) -> None:
        """Make a quote available for matching."""
        vector = np.asarray(member.vector, dtype=np.float32)
        if self._matrix is None:
            self._matrix = np.zeros((64, vector.shape[0]), dtype=np.float32)
        if self._size == self._matrix.shape[0]:
            self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[self._size] = vector
        if self._centroid is None:
            self._centroid = Centroid(vector.shape[0], self.settings.centroid_shrink)
        if not self._primed:
            self._centroid.add(vector)
        self._members.append(member)
        self._strength.append(
            float(strengths(vector)[0]) if member.strength is None else member.strength
        )
        self._rows.setdefault(self.resolve(member.tip_id), []).append(self._size)
        self._size += 1

    def extend(self, members: Iterable[Member]) -> None:
        """Add many quotes."""
        for member in members:
            self.add(member)

    def prime(self, vectors: Any) -> None:
        """Count the vectors about to be assigned in the centroid, once, before assigning them.

        Without it each quote would be compared under a centroid of the quotes before it only,
        and a rebuild's first session would not be centred at all.
        """
        rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if not rows.size:
            return
        if self._centroid is None:
            self._centroid = Centroid(rows.shape[1], self.settings.centroid_shrink)
        self._centroid.add(rows)
        self._primed = True

    def closeness(self, vector: Any) -> Any:
        """Centred cosine of a vector with every member, in member order."""
        assert self._centroid is not None
        centroid = self._centroid.vector
        key = (self._centroid.count, self._size)
        if self._centred_for[0] != key[0] or self._centred is None:
            self._centred = centred(self._matrix[: self._size], centroid)
        elif self._centred_for[1] < self._size:
            fresh = centred(self._matrix[self._centred_for[1] : self._size], centroid)
            self._centred = np.concatenate([self._centred, fresh])
        self._centred_for = key
        return self._centred @ centred(vector, centroid)[0]

    def match(
        self, quote: str, vector: Any, strength: float | None = None, session: str = ""
    ) -> tuple[str, float] | None:
        """The tip this quote paraphrases, with its closeness; None when it is new advice.

        The bars are in the module docstring. Clear advice never joins a tip whose quotes are
        all weak (below `weak_strength`). The same-session margin: one session's speakers
        mostly give different advice and a restatement adds no support, so a doubtful join
        there costs purity and gains nothing.
        """
        if not self._size:
            return None
        cfg = self.settings
        if strength is None:
            strength = float(strengths(vector)[0])
        terms = self.weigh(quote)
        cosines = self.closeness(vector)
        near = np.nonzero(cosines >= cfg.same_tip_similarity - cfg.lexical_weight)[0]
        lexical = cfg.lexical_weight
        scores = {
            int(i): float(cosines[i]) + lexical * term_overlap(terms, self._terms(int(i)))
            for i in near
        }
        by_tip: dict[str, list[int]] = {}
        for i in sorted(scores, key=lambda k: -scores[k]):
            by_tip.setdefault(self.resolve(self._members[i].tip_id), []).append(i)
        sign = polarity(quote)
        passing: list[tuple[float, float, str]] = []
        for tip_id, rows in by_tip.items():  # in order of each tip's closest quote
            best = scores[rows[0]]
            if best < cfg.same_tip_similarity:
                break
            members = self._rows[tip_id]
            own = session and any(self._members[i].session == session for i in members)
            margin = cfg.same_session_margin if own else 0.0
            if best < cfg.same_tip_similarity + margin:
                continue
            if polarity(self._members[rows[0]].quote) != sign:
                # A prohibition rarely paraphrases an instruction: ask for more closeness.
                if best < cfg.same_tip_similarity + cfg.polarity_margin:
                    continue
            if any(keeps_apart(quote, self._members[i].quote) for i in rows):
                continue  # a close quote of this tip advises the opposite
            if strength >= cfg.weak_strength and all(
                self._strength[i] < cfg.weak_strength for i in members
            ):
                continue
            links = self._links(tip_id, terms, cosines)
            average = sum(links) / len(links)
            if average >= cfg.cohesion + margin and min(links) >= cfg.link_floor:
                passing.append((average, best, tip_id))
        if not passing:
            return None
        # Average linkage decides between tips that would all take the quote.
        _, best, tip_id = max(passing)
        return tip_id, best

    def _links(self, tip_id: str, terms: Mapping[str, float], cosines: Any) -> list[float]:
        """Closeness of a quote to every quote of a tip."""
        w = self.settings.lexical_weight
        return [float(cosines[i]) + w * term_overlap(terms, self._terms(i))
                for i in self._rows[tip_id]]
