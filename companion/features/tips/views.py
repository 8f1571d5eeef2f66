"""Reads the registry as people see it: ranked tips with support, topics, quotes and history.

Only quotes from sessions whose participants consented to sharing are shown or counted, so a
tip given only in private sessions does not appear at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.core.errors import NotFoundError
from companion.core.settings import TipsSettings
from companion.features.people.identities import Identities
from companion.features.tips.extraction import is_tips_heading, strip_lead_in
from companion.features.tips.models import (
    OutcomesProvider,
    ReviewEvent,
    Tip,
    TipDetail,
    TipQuote,
    TipSupport,
    Wording,
)
from companion.features.tips.store import StoredQuote, TipRow, TipStore
from companion.features.tips.strength import is_weak_tip, strengths
from companion.features.tips.wording_cache import CachedWording, WordingCache, quote_set_hash
from companion.retrieval.context import Context

# Note headings that say where in the notes something is, not what it is about.
_GENERIC_HEADINGS = frozenset(
    {"context", "notes", "summary", "follow-up", "follow up", "actions", "action items",
     "open questions", "next steps", "background", "introduction", "agenda", "attendees",
     "questions", "q&a", "other", "misc"}
)
MAX_TOPICS = 4


_HESITATION = re.compile(r"\b(?:um|uh|erm|er|mm)\b[,]?\s*", re.I)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


def tidy(quote: str) -> str:
    """A quote as a tip's wording: fillers and hesitations dropped, first letter capitalised.

    Only the displayed wording is tidied; the tip's quotes stay verbatim.
    """
    text = strip_lead_in(quote) or quote.strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _HESITATION.sub("", text)).strip()
    return text[:1].upper() + text[1:]


# A sentence opening on a word that points back at what was said before it ("That's why ...",
# "Then nobody ...") does not stand on its own as a headline.
_POINTS_BACK = re.compile(
    r"^(?:that|this|these|those|it|it's|they|then|which|there|here|he|she|him|her)\b", re.I
)
HEADLINE_WORDS = (6, 30)
_STRENGTH_WEIGHT = 0.3  # advice strength's share of a headline's score, beside mean cosine


def headline_penalty(quote: str) -> float:
    """How far a quote is from a complete, readable sentence that stands on its own (0: none).

    Generic English only: a fragment (no closing full stop or exclamation mark), a length
    outside `HEADLINE_WORDS` once lead-ins are dropped, or an opening that points back at an
    earlier sentence.
    """
    text = strip_lead_in(quote)
    words = len(text.split())
    penalty = 0.0
    if not quote.rstrip().rstrip("\"'”’)").endswith((".", "!")):
        penalty += 0.15
    if not HEADLINE_WORDS[0] <= words <= HEADLINE_WORDS[1]:
        penalty += 0.15
    if any(_POINTS_BACK.match(t.replace("’", "'")) for t in (quote.strip(), text)):
        penalty += 0.1
    return penalty


def canonical_quote(quotes: Sequence[StoredQuote]) -> StoredQuote:
    """The headline quote: most like the tip's other quotes, clear advice, a whole sentence.

    Score = mean cosine to the tip's other quotes (the medoid; the centroid of a tip holding a
    stray remark sits between the advice and the remark) + `_STRENGTH_WEIGHT` x advice strength
    (`strength.strengths`) - `headline_penalty`. Ties go to the earlier quote, so the choice is
    deterministic.
    """
    matrix = np.stack([np.asarray(q.vector, dtype=np.float32) for q in quotes])
    n = len(quotes)
    sims = matrix @ matrix.T
    mean = (sims.sum(axis=1) - np.diag(sims)) / (n - 1) if n > 1 else np.ones(1)
    power = strengths(matrix)

    def score(i: int) -> float:
        return float(mean[i]) + _STRENGTH_WEIGHT * float(power[i]) - headline_penalty(
            quotes[i].quote)

    return quotes[max(range(n), key=lambda i: (score(i), -i))]


def choose_wording(
    row: TipRow, quotes: Sequence[StoredQuote], model_wordings: Sequence[CachedWording]
) -> tuple[str, Wording]:
    """A tip's text and whose it is: reviewer's edit > verified model wording > tidied quote.

    A model wording counts only while the tip still has the quotes it was written from.
    """
    if row.edited_text:
        return row.edited_text, "reviewer"
    current = quote_set_hash(quotes)
    for w in model_wordings:
        if w.text and w.quote_set_hash == current:
            return w.text, "llm"
    return tidy(canonical_quote(quotes).quote), "quote"


def tip_topics(quotes: Sequence[StoredQuote], settings: TipsSettings) -> list[str]:
    """Topics from where the advice was given: session series or titles, and note headings."""
    counts: Counter[str] = Counter()
    for q in quotes:
        counts[q.series or q.session_title] += 2
        heading = (q.section or "").strip()
        generic = heading.lower() in _GENERIC_HEADINGS or is_tips_heading(heading, settings)
        if heading and not generic:
            counts[heading] += 1
    return [topic for topic, _ in counts.most_common(MAX_TOPICS)]


@dataclass
class _Built:
    """A tip with what ranking and topic filtering need."""

    tip: Tip
    row: TipRow
    quotes: list[StoredQuote]
    strength: float = 1.0  # the clearest quote's advice strength (see `strength`)

    def rank_key(self, outcome_weight: float = 0.0) -> tuple[Any, ...]:
        """Sessions first (plus, when weighted, what learners who tried it reported).

        Ties go to more people, then to the clearer advice, then to the most recent.
        """
        support, o = self.tip.support, self.tip.outcomes
        score = support.sessions + outcome_weight * (o.worked + o.partly / 2 - o.did_not)
        return (-score, -support.speakers, -round(self.strength, 2),
                _negated_date(self.tip.last_seen), -len(self.quotes), self.tip.id)


def _negated_date(date: str | None) -> int:
    digits = (date or "").replace("-", "")[:8]
    return -int(digits) if digits.isdigit() else 0


class TipViews:
    """The registry, read: ranked listing, topic filter, one tip with its history.

    Args:
        ctx: the stores (and the embedding model, for topic filtering).
        outcomes: how trying each tip went for learners (none: every tip shows zero outcomes).
    """

    def __init__(self, ctx: Context, outcomes: OutcomesProvider | None = None) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.tips
        self.store = TipStore(ctx.catalog)
        self.outcomes = outcomes

    def resolve(self, tip_id: str) -> str:
        """The id a tip is shown under: its own, or its survivor's when it was merged."""
        seen: set[str] = set()
        row = self.store.tip(tip_id)
        while row is not None and row.merged_into and row.id not in seen:
            seen.add(row.id)
            row = self.store.tip(row.merged_into)
        if row is None:
            raise NotFoundError(f"no tip with id '{tip_id}'")
        return row.id

    def list_tips(
        self, topic: str | None = None, limit: int | None = None, include_retired: bool = False
    ) -> list[Tip]:
        """Tips ranked by distinct sessions, then speakers, then most recent."""
        built = [b for b in self._build() if include_retired or b.tip.status != "retired"]
        if topic and topic.strip():
            built = self._about(built, topic)
        built.sort(key=lambda b: b.rank_key(self.settings.outcome_weight))
        tips = [b.tip for b in built]
        return tips[:limit] if limit is not None and limit >= 0 else tips

    def get(self, tip_id: str) -> TipDetail:
        """One tip (by its own id; see `resolve` for merged ids) with its history."""
        found = next((b for b in self._build() if b.tip.id == tip_id), None)
        if found is None:
            raise NotFoundError(f"no tip with id '{tip_id}' (or none of its quotes may be shown)")
        history = [
            ReviewEvent(action=r["action"], detail=r["detail"], by=r["by"], at=r["at"])
            for r in self.store.history(tip_id)
        ]
        merged_from = sorted(t.id for t in self.store.tips().values() if t.merged_into == tip_id)
        return TipDetail(
            **found.tip.model_dump(),
            edited=found.row.edited_text is not None,
            merged_from=merged_from,
            history=history,
            sessions={q.session_id: q.session_title for q in found.quotes},
            reflections=self.outcomes.reflections(tip_id) if self.outcomes else [],
        )

    def session_titles(self, tips: Sequence[Tip]) -> dict[str, tuple[str, str | None]]:
        """Session id -> (title, date) for the sessions the tips quote."""
        ids = {q.session_id for t in tips for q in t.quotes}
        out: dict[str, tuple[str, str | None]] = {}
        for session_id in ids:
            row = self.ctx.catalog.session_row(session_id)
            if row is not None:
                out[session_id] = (row["title"], row["date"])
        return out

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> list[_Built]:
        rows = self.store.tips()
        by_tip: dict[str, list[StoredQuote]] = {}
        for q in self.store.quotes():
            if q.consent:  # quotes from sessions without consent are never shown nor counted
                by_tip.setdefault(q.tip_id, []).append(q)
        # People, not labels, are counted: "Dr Amara Okafor" and "Amara" support a tip once.
        people = Identities(self.ctx.catalog).keys_for(
            (q.speaker, q.session_id) for qs in by_tip.values() for q in qs if q.speaker)
        links = self.store.links()
        wordings = WordingCache(self.ctx.catalog).accepted()
        power = self._strengths(by_tip)
        weak = self.settings.weak_strength
        visible = {
            tid for tid in by_tip if tid in rows and not rows[tid].merged_into
            and (rows[tid].status != "unreviewed" or not is_weak_tip(power[tid], weak))
        }
        built: list[_Built] = []
        for tip_id in sorted(visible):
            row, quotes = rows[tip_id], by_tip[tip_id]
            dates = sorted(q.date for q in quotes if q.date)
            text, wording = choose_wording(row, quotes, wordings.get(tip_id, []))
            tip = Tip(
                id=tip_id,
                text=text,
                wording=wording,
                topics=tip_topics(quotes, self.settings),
                support=TipSupport(
                    sessions=len({q.session_id for q in quotes}),
                    speakers=len({people[(q.speaker, q.session_id)]
                                  for q in quotes if q.speaker}),
                ),
                first_seen=dates[0] if dates else None,
                last_seen=dates[-1] if dates else None,
                status=row.status,  # type: ignore[arg-type]
                contradicts=sorted(links.get(tip_id, set()) & visible),
                quotes=[_tip_quote(q) for q in quotes],
            )
            built.append(_Built(tip, row, quotes, max(power[tip_id])))
        if self.outcomes is not None:
            counts = self.outcomes.outcomes([b.tip.id for b in built])
            for b in built:
                if b.tip.id in counts:
                    b.tip.outcomes = counts[b.tip.id]
        return built

    @staticmethod
    def _strengths(by_tip: dict[str, list[StoredQuote]]) -> dict[str, list[float]]:
        """Each shown quote's advice strength, by tip (one batch over all quotes)."""
        flat = [q for quotes in by_tip.values() for q in quotes]
        if not flat:
            return {}
        values = strengths(np.stack([q.vector for q in flat]), [q.cue for q in flat]).tolist()
        out: dict[str, list[float]] = {}
        for q, v in zip(flat, values, strict=True):
            out.setdefault(q.tip_id, []).append(float(v))
        return out

    def topic_scores(self, topic: str, include_retired: bool = True) -> dict[str, float]:
        """How close each shown tip is to `topic` (what `--topic` thresholds), by tip id."""
        built = [b for b in self._build() if include_retired or b.tip.status != "retired"]
        return self._scores(built, topic)

    def _about(self, built: list[_Built], topic: str) -> list[_Built]:
        """The tips whose quotes or topics are close in meaning to `topic`."""
        scores = self._scores(built, topic)
        return [b for b in built if scores[b.tip.id] >= self.settings.topic_similarity]

    def _scores(self, built: list[_Built], topic: str) -> dict[str, float]:
        # A tip is about a topic when one of its quotes, their centroid, or one of its labels
        # (series, titles, headings) is close to it.
        if not built:
            return {}
        labels = sorted({t for b in built for t in _labels(b.quotes)})
        vectors = self.ctx.embeddings.embed_many([topic, *labels])
        query, label_vec = vectors[0], dict(zip(labels, vectors[1:], strict=True))
        scores: dict[str, float] = {}
        for b in built:
            quotes = np.stack([q.vector for q in b.quotes])
            centroid = quotes.mean(axis=0)
            centroid /= np.linalg.norm(centroid) or 1.0
            scores[b.tip.id] = max(
                float(centroid @ query),
                float((quotes @ query).max()),
                *(float(label_vec[t] @ query) for t in _labels(b.quotes)),
            )
        return scores


def _labels(quotes: Sequence[StoredQuote]) -> set[str]:
    """Everything that says what a tip is about: series, session titles, note headings."""
    out: set[str] = set()
    for q in quotes:
        out.update(x for x in (q.series, q.session_title, q.section) if x)
    return out


def _tip_quote(q: StoredQuote) -> TipQuote:
    return TipQuote(
        session_id=q.session_id, speaker=q.speaker, start=q.start, end=q.end,
        turn_start=q.turn, turn_end=q.turn, quote=q.quote,
    )
