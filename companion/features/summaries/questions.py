"""Open questions: asked in the session and not answered there.

A question is a sentence ending in "?" in interrogative form, long enough to carry content,
that is not a meta question ("Can I ask something?"), a request ("Can you send ...?" is an action),
a tag ("..., isn't he?", "right?") or a follow-up fragment ("Like, for the pilot?").

It is answered when, in the next few turns by someone else, a reply engages with it: the first
reply does not deflect, and no short later reply parks it; or a reply that does not deflect is
close to the question in meaning (cosine >= `answered_similarity`). Deflections are first-person
non-answers at the start of a turn: "I don't know", "not sure", "park that", "take that
offline", "no idea, honestly". Every item under an "Open questions" heading in notes
is open.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from companion.core.schemas import Session, Turn
from companion.core.settings import SummarySettings
from companion.core.terms import content_terms
from companion.features.summaries.models import OpenQuestion
from companion.features.summaries.sentences import (
    Sentence,
    is_actions_section,
    is_questions_section,
    session_sentences,
)

Embed = Callable[[list[str]], Any]

_META_PREFIX = re.compile(
    r"^\W*(?:(?:so|and|sorry|okay|ok|right|hi),?\s+)*(?:can|could|may) I (?:just )?ask"
    r"(?: you)?(?: (?:something|a question|one|one more|another one))?(?: (?:about|on) [^,?]+)?"
    r",\s*",
    re.I,
)
_META = re.compile(
    r"^\W*(?:(?:so|and|sorry|okay|ok|right|hi),?\s+)*(?:can|could|may) (?:I|we) (?:just )?"
    r"(?:ask|add|say|jump|go|take|check|come in|mention|raise|push back|be)\b|"
    r"^\W*(?:any (?:other )?questions|does that make sense|does that help|is that (?:ok|okay|"
    r"fair|right|clear|all right))\b",
    re.I,
)
_TAG = re.compile(
    r"(?:,\s*(?:isn't|aren't|doesn't|don't|didn't|wasn't|won't|haven't|hasn't|can't|couldn't|"
    r"wouldn't|shouldn't|right|yeah|yes|no|eh|okay|ok|surely|you know)(?: \w+)?|\bright|"
    r"\bif that's (?:okay|ok|all right|alright))\W*\?\s*$",
    re.I,
)
_FRAGMENT = re.compile(r"^\W*(?:like|say|or|i mean|as in|for example|e\.g\.)\b", re.I)
_INTERROGATIVE = re.compile(
    r"\b(?:who|whom|whose|what|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
    r"would|will|should|shall|have|has|had|may|might|must|any)\b",
    re.I,
)
_REQUEST = re.compile(r"\b(?:can|could|would|will) you (?:please )?(?!tell|explain|say|give|talk|"
                      r"walk|describe|help me understand)\w+", re.I)
_DEFLECT = re.compile(
    r"\b(?:I|we) (?:really |honestly |genuinely |just |actually )?(?:don't|do not|didn't) "
    r"(?:really |actually |honestly )?know\b|\bnot (?:\w+ )?sure\b|\bno idea\b|"
    r"\b(?:don't|do not) have (?:a|an|any) (?:\w+ )?(?:answer|date|view|idea)\b|"
    r"\bpark(?:ed)? (?:that|it|this)\b|^\W*parked\b|\bpark that one\b|"
    r"\b(?:take|taking) (?:that|it|this) offline\b|\bcome back to you\b|"
    r"\b(?:let me|I'll|I will) (?:find out|check)\b|\b(?:whole|separate) session\b|"
    r"\b(?:rather not|not going to|won't) (?:guess|say|get into)\b|\bcan't say\b|"
    r"\b(?:going to|have to|I'll|I'm gonna) pass\b",
    re.I,
)


@dataclass(frozen=True)
class Asked:
    """A question found in the session, before the answered check."""

    sentence: Sentence
    quote: str
    listed: bool = False


def _is_notes(session: Session) -> bool:
    """Notes have no timestamps and one author."""
    return all(t.start is None for t in session.turns) and len(session.speakers) <= 1


def question_quote(sentence: Sentence, previous: Sentence | None) -> str | None:
    """The question's own words (meta prefix removed), or None when it is not a real question."""
    text = sentence.text.strip()
    if not sentence.is_question:
        return None
    meta = _META_PREFIX.match(text)
    if meta and _INTERROGATIVE.match(text[meta.end():]):
        text = text[meta.end():]
    elif _META.match(text):
        return None
    if _TAG.search(text) or _REQUEST.search(text):
        return None
    if _FRAGMENT.match(text) and previous is not None and previous.is_question \
            and previous.turn.index == sentence.turn.index:
        return None
    if len(text.split()) < 5 or len(set(content_terms(text))) < 2:
        return None
    if not _INTERROGATIVE.search(text):
        return None
    return text


def find_questions(session: Session) -> list[Asked]:
    """Every real question in the session, and every item listed under an open-questions heading."""
    notes = _is_notes(session)
    out: list[Asked] = []
    previous: Sentence | None = None
    for sentence in session_sentences(session):
        section = sentence.turn.section
        if is_questions_section(section):
            if not out or out[-1].sentence.turn.index != sentence.turn.index:
                out.append(Asked(sentence, sentence.turn.text.strip(), listed=True))
        elif not notes and not is_actions_section(section):
            quote = question_quote(sentence, previous)
            if quote is not None:
                out.append(Asked(sentence, quote))
        previous = sentence
    return out


def is_deflection(text: str) -> bool:
    """True for a first-person non-answer ("I don't know", "can we park that")."""
    return bool(_DEFLECT.search(text))


def deflection(turn: Turn, any_length: bool) -> str | None:
    """The sentence at the start of the turn that declines to answer, if any."""
    if not any_length and len(turn.text.split()) > 30:
        return None
    substantive = [s for s in _turn_sentences(turn) if len(s.text.split()) >= 3][:2]
    for s in substantive:
        if _DEFLECT.search(s.text):
            return s.text
    return None


def _turn_sentences(turn: Turn) -> list[Sentence]:
    return session_sentences(Session(id="", title="", turns=[turn]))


def _asks(turn: Turn) -> bool:
    """True when the turn asks a real question (a new exchange starts)."""
    sentences = _turn_sentences(turn)
    return any(question_quote(s, p) is not None
               for s, p in zip(sentences, [None, *sentences[:-1]], strict=True))


def _replies(turns: Sequence[Turn], turn: Turn, window: int) -> list[Turn]:
    """Turns by others in the next `window` turns, up to the next real question after a reply."""
    out: list[Turn] = []
    for t in turns[turn.index + 1 : turn.index + 1 + window]:
        if t.speaker == turn.speaker or not t.text.strip():
            continue
        if out and _asks(t):
            break
        out.append(t)
    return out


def open_reason(
    asked: Asked, turns: Sequence[Turn], settings: SummarySettings, embed: Embed
) -> str | None:
    """Why the question is open, or None when the session answers it."""
    if asked.listed:
        return "listed under open questions in the notes"
    turn = asked.sentence.turn
    window = _replies(turns, turn, settings.answer_window)
    if not window:
        return "no reply in the session"
    deflections = [deflection(t, any_length=(i == 0)) for i, t in enumerate(window)]
    if not any(deflections):
        return None
    engaged = [t for t, d in zip(window, deflections, strict=True) if d is None]
    if engaged:
        vectors = embed([asked.quote, *(t.text for t in engaged)])
        if float((vectors[1:] @ vectors[0]).max()) >= settings.answered_similarity:
            return None
    first = next(d for d in deflections if d)
    return f"reply: {first}"


def find_open_questions(
    session: Session, settings: SummarySettings, embed: Embed
) -> list[OpenQuestion]:
    """The session's questions that it leaves unanswered, in order."""
    out: list[OpenQuestion] = []
    for asked in find_questions(session):
        reason = open_reason(asked, session.turns, settings, embed)
        if reason is None:
            continue
        out.append(
            OpenQuestion(
                question=asked.quote, asked_by=None if asked.listed else asked.sentence.speaker,
                reason=reason, citations=[asked.sentence.evidence(session.id, asked.quote)],
            )
        )
    return out
