"""Find advice in a session's turns: verbatim sentences that tell the listener what to do.

A learned detector (`companion.core.advice`, a small classifier over the sentence embeddings the
pipeline computes anyway) decides which sentences are advice, explicit ("you should ...") or
implicit (hindsight, "what works is ...", what a colleague always does). Two cheap stages run
before anything is embedded: a pre-filter skips questions, fragments and broken speech, and the
detector's cue pre-stage (a logistic model over its word cues alone) skips sentences with no
sign of advice. Every item of a notes list under a "Top tips" / "Advice" / "Lessons" heading
is advice by position. A candidate is always an exact substring of one turn, so the
`GroundingVerifier` accepts it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from companion.core.advice import AdviceDetector
from companion.core.grounding import normalise
from companion.core.schemas import Session, Turn
from companion.core.settings import TipsSettings
from companion.core.terms import content_terms
from companion.core.text import disfluency, split_sentences

Embed = Callable[[list[str]], Any]  # texts -> normalised embedding rows

# Words that open a sentence without changing what it asks ("So, put the ask first").
_LEAD_IN = re.compile(
    r"^(?:(?:so|and|but|or|also|then|okay|ok|honestly|basically|plus|yeah|yes|oh|"
    r"(?:now|well|right|look)(?=,)|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly|again|please|just|oh|um|uh|"
    r"number (?:one|two|three|four|five|six|seven)|one|two|three|four|five|"
    r"in short|in practice|above all|most of all|for me|either way|if in doubt)"
    r"\b[\s,:;.\-–—]*)+",
    re.I,
)

# A sentence that stops on one of these trailed off ("... you have to", "so you should").
_DANGLING = frozenset(
    "to the a an and or but of for with you should must have need i we that if so like is are "
    "was be your my our this".split()
)
# Set off by commas (", you know,"), these are tics; "when you know the client" is not.
_TIC = r"(?:you know|i mean|sort of|kind of)"
_TICS = re.compile(rf"(?:^|,)\s*{_TIC}\b|\b{_TIC}\s*(?:,|$)", re.I)
_AUX = r"(?:do|does|did|is|are|was|were|can|could|would|will|should|shall|have|has|may|might)"
# A question without its question mark: "How often do you check in", "Is it ...".
_QUESTION_START = re.compile(
    rf"^(?:(?:who|what|when|where|why|how|which)(?:\s+\w+)?\s+{_AUX}\s+"
    rf"(?:i|you|we|they|he|she|it|there|this|that|the|a|an|my|our|your)|"
    rf"{_AUX}(?:n't)?\s+(?:i|you|we|they|he|she|it|there|this|that))\b",
    re.I,
)


@dataclass(frozen=True)
class Candidate:
    """One advice quote found in a session."""

    session_id: str
    speaker: str | None
    turn: int
    start: float | None
    end: float | None
    quote: str
    cue: str
    section: str | None
    advice_p: float = 1.0  # the detector's probability; 1 for an item of a tips list

    @property
    def quote_hash(self) -> str:
        """Content hash of the quote (whitespace and case folded): same words, same hash."""
        return hashlib.sha1(normalise(self.quote).encode()).hexdigest()


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _sentence_spans(text: str) -> list[_Span]:
    """Character spans of the sentences of `text`, so quotes are exact substrings."""
    spans: list[_Span] = []
    pos = 0
    for sentence in split_sentences(text):
        begin = text.find(sentence, pos)
        if begin < 0:  # split_sentences only strips; this cannot happen, but never misquote
            continue
        spans.append(_Span(begin, begin + len(sentence)))
        pos = begin + len(sentence)
    return spans


def strip_lead_in(sentence: str) -> str:
    """The sentence without opening fillers such as "So," or "And honestly"."""
    return _LEAD_IN.sub("", sentence.strip()).lstrip(" ,:;-–—\"'“‘")


def is_tips_heading(section: str | None, settings: TipsSettings) -> bool:
    """True for a notes heading such as "Top tips" or "Lessons learned"."""
    if not section:
        return False
    lowered = section.lower()
    return any(word in lowered for word in settings.list_headings)


def worth_scoring(sentence: str, settings: TipsSettings) -> bool:
    """Cheap pre-filter: False for questions, fragments and broken speech, which are never tips.

    Only sentences that pass are embedded and scored by the advice detector.
    """
    core = strip_lead_in(sentence).replace("’", "'")
    if not core or core.rstrip().endswith(("?", ",")) or _QUESTION_START.match(core):
        return False  # a question, or speech that trails off
    words = core.split()
    if not settings.min_words <= len(words) <= settings.max_words:
        return False
    if not content_terms(core):
        return False
    ended = core.rstrip("\"'”’)").endswith((".", "!"))
    if not ended and words[-1].lower().strip(",;:-–—\"'”’") in _DANGLING:
        return False  # "... so you should", "and then we have to"
    return disfluency(core) + _speech_noise(core) <= settings.max_disfluency


def _speech_noise(text: str) -> float:
    """Share of words that are cut off ("you should s") or verbal tics (", you know,")."""
    tokens = text.split()
    if not tokens:
        return 0.0
    cut = sum(1 for t in tokens if len(w := t.strip(",.;:!?")) == 1
              and w.isalpha() and w.lower() not in {"a", "i"})
    tics = len(_TICS.findall(text))
    return (cut + tics) / len(tokens)


def _quote_span(
    text: str, spans: list[_Span], i: int, advice: list[bool], settings: TipsSettings
) -> _Span:
    """The sentence, extended by the next one when it is too short to stand alone.

    The next sentence is not taken when it is advice of its own (it becomes its own quote).
    """
    span = spans[i]
    short = len(text[span.start : span.end].split()) < settings.min_words + 3
    if short and i + 1 < len(spans) and not advice[i + 1]:
        nxt = text[spans[i + 1].start : spans[i + 1].end]
        if not nxt.rstrip().endswith("?") and len(nxt.split()) <= settings.max_words:
            return _Span(span.start, spans[i + 1].end)
    return span


@dataclass
class _TurnPlan:
    turn: Turn
    spans: list[_Span]
    scored: list[int]  # indexes of the spans that passed the pre-filter


def _turn_advice(session: Session, plan: _TurnPlan, advice: list[bool],
                 settings: TipsSettings, probs: list[float]) -> Iterator[Candidate]:
    text = plan.turn.text
    taken_to = -1
    for i, span in enumerate(plan.spans):
        if span.start < taken_to or not advice[i]:
            continue
        quote_span = _quote_span(text, plan.spans, i, advice, settings)
        taken_to = quote_span.end
        yield _candidate(session, plan.turn, text[quote_span.start : quote_span.end], "advice",
                         probs[i])


def _list_item(
    session: Session, turn: Turn, spans: list[_Span], settings: TipsSettings
) -> Iterator[Candidate]:
    """An item of a tips list is advice by position; the whole item is the quote when short."""
    text = turn.text
    span = _Span(spans[0].start, spans[-1].end)
    if len(text[span.start : span.end].split()) > settings.max_words:
        span = _quote_span(text, spans, 0, [False] * len(spans), settings)
    if len(text[span.start : span.end].split()) >= settings.min_words - 1:
        yield _candidate(session, turn, text[span.start : span.end], "tips-list")


def _candidate(
    session: Session, turn: Turn, quote: str, cue: str, advice_p: float = 1.0
) -> Candidate:
    return Candidate(
        session_id=session.id,
        speaker=turn.speaker,
        turn=turn.index,
        start=turn.start,
        end=turn.end,
        quote=quote,
        cue=cue,
        section=turn.section,
        advice_p=float(advice_p),
    )


@cache
def _detector() -> AdviceDetector:
    return AdviceDetector.load()


@cache
def _default_embed() -> Embed:
    """The product's embedding model, for callers that do not pass their own."""
    from companion.core.settings import Settings
    from companion.storage.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(Settings().resolved_model_path()).embed_many


def _cue_stage(plans: list[_TurnPlan], model: AdviceDetector) -> None:
    """Keep in each plan only the sentences the detector's cue pre-stage passes (no embedding)."""
    texts = [p.turn.text[p.spans[i].start : p.spans[i].end] for p in plans for i in p.scored]
    if not texts:
        return
    passes = model.worth_embedding(texts).tolist()
    pos = 0
    for plan in plans:
        flags = passes[pos : pos + len(plan.scored)]
        pos += len(plan.scored)
        plan.scored = [i for i, ok in zip(plan.scored, flags, strict=True) if ok]


def extract_candidates(
    session: Session,
    settings: TipsSettings,
    embed: Embed | None = None,
    detector: AdviceDetector | None = None,
) -> list[Candidate]:
    """Every advice quote in the session, in order; one per sentence at most.

    Sentences that pass the cheap `worth_scoring` pre-filter and the detector's cue pre-stage
    (`AdviceDetector.worth_embedding`, word cues only) are embedded once (one batch for the
    session) and kept when the advice detector's probability reaches its threshold
    (`settings.advice_threshold` overrides the calibrated one). Items under a tips heading are
    advice by position.

    Args:
        session: the parsed session.
        settings: word limits, headings and the threshold override.
        embed: texts -> normalised embedding rows (the product's model; the tips registry
            passes its own so each sentence is encoded once). Default: load the product's model.
        detector: the advice classifier; default the shipped weights.
    """
    plans: list[_TurnPlan] = []
    out: list[Candidate] = []
    for turn in session.turns:
        if not turn.text.strip():
            continue
        spans = _sentence_spans(turn.text)
        if not spans:
            continue
        if is_tips_heading(turn.section, settings):
            if not turn.text.rstrip().endswith((":", "?")):
                plans.append(_TurnPlan(turn, spans, []))
            continue
        scored = [i for i, sp in enumerate(spans)
                  if worth_scoring(turn.text[sp.start : sp.end], settings)]
        plans.append(_TurnPlan(turn, spans, scored))
    model = detector or _detector()
    _cue_stage(plans, model)
    texts = [p.turn.text[p.spans[i].start : p.spans[i].end] for p in plans for i in p.scored]
    keep = np.zeros(0, dtype=bool)
    proba = np.zeros(0, dtype=np.float32)
    if texts:
        vectors = np.asarray((embed or _default_embed())(texts), dtype=np.float32)
        proba = model.predict_proba(vectors, texts)  # the text head reads word cues too
        cut = model.threshold if settings.advice_threshold is None else settings.advice_threshold
        keep = proba >= cut
    pos = 0
    for plan in plans:
        if is_tips_heading(plan.turn.section, settings):
            out.extend(_list_item(session, plan.turn, plan.spans, settings))
            continue
        advice = [False] * len(plan.spans)
        probs = [0.0] * len(plan.spans)
        for i in plan.scored:
            advice[i] = bool(keep[pos])
            probs[i] = float(proba[pos])
            pos += 1
        out.extend(_turn_advice(session, plan, advice, settings, probs))
    return out
