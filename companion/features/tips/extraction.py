"""Find advice in a session's turns: verbatim sentences that tell the listener what to do.

Offline and rule-based: imperatives ("Put the ask first", "Never ..."), advice phrases ("my
tip is", "what worked for me", "you should", "make sure"), and every item of a notes list under
a "Top tips" / "Advice" / "Lessons" heading. Questions, filler and fragments are skipped. A
candidate is always an exact substring of one turn, so the `GroundingVerifier` accepts it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from companion.core.grounding import normalise
from companion.core.schemas import Session, Turn
from companion.core.settings import TipsSettings
from companion.core.terms import content_terms
from companion.core.text import disfluency, split_sentences

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

# Base-form verbs that open an imperative piece of advice.
_IMPERATIVE_VERBS = frozenset(
    """
    accept add agree aim allow anticipate ask assume avoid be book brief bring build call
    check choose clear copy cut decide do don't draft drop ease email expect explain find flag
    focus follow get give go have include keep kill know label lead learn leave let limit
    listen look make mark match meet mention name note offer own pace park pick plan practise
    practice prepare prioritise protect push put quote read recognise record remember reply
    ring say schedule search send separate set share show shadow sign sit skip speak spend start
    stay engage introduce deliver invest consult involve review rehearse pause escalate thank
    stick stop structure summarise take talk tell test think treat trust try turn use value
    volunteer wait walk warn watch work write
    """.split()
)

# Imperatives that manage the room or the session rather than give advice.
_ROOM_TALK = re.compile(
    r"^(?:bear with|go ahead|go on|hang on|hold on|let me|let's|let us|look at this|see you|"
    r"take a seat|grab|come in|come on|thank|thanks|sorry|excuse|say (?:that|it) again|"
    r"tell me|remind me|give me|wait a|do grab|do come|do sit|do fill|fill in|get on with it|"
    r"keep going|carry on|move on|think so|know what|go back|have a look|look,|trust me|"
    r"(?:please )?don't start|reply to|mind the|welcome)",
    re.I,
)
# An imperative whose object is "it", "that", "them"... points at something in the room.
_DEICTIC_OBJECT = re.compile(
    r"^\w+(?:n't)?\s+(?:\w+\s+)?(?:it|that|this|these|those|them|me|us|him|her)\b"
    r"(?!\s+(?:is|are)\b)",
    re.I,
)
# A sentence that stops on one of these trailed off ("... you have to", "so you should").
_DANGLING = frozenset(
    "to the a an and or but of for with you should must have need i we that if so like is are "
    "was be your my our this".split()
)
_TICS = re.compile(r"\b(?:you know|i mean|sort of|kind of)\b", re.I)
# "if you need to ..." states a condition, not advice.
_CONDITIONAL = re.compile(r"\bif\s+(?:\w+\s+){0,2}$", re.I)
# "We're going to make sure ...", "we will continue to ...": a commitment, not advice.
_OWN_PLAN = re.compile(r"\b(?:we|we're|we'll|we've|i'm|i'll|i've)\b|\bto\s+$", re.I)
_ARRANGEMENT = re.compile(r"\b(?:i'll|i will|we'll|i'm going to|by the \w+th)\b", re.I)

_ADVICE_PHRASES = re.compile(
    r"\b(?:my (?:top |one |main |big |best |biggest |strong |own )?(?:tip|advice|rule)\b|"
    r"my (?:strong |own )?view is|"
    r"top tip|golden rule|rule of thumb|piece of advice|if i could give|"
    r"what (?:worked|works|helped|helps) (?:for|with) me|what (?:really )?(?:worked|helped)\b|"
    r"what kept me|i'?d (?:strongly )?(?:recommend|suggest|advise|say to anyone)|"
    r"i would (?:strongly )?(?:recommend|suggest|advise)|i (?:always )?(?:recommend|suggest)\b|"
    r"you (?:really |always |probably )?(?:should|shouldn't|should not|must|mustn't|need to|"
    r"needn't|ought to|have to)|"
    r"(?:the )?(?:trick|key|secret|lesson|thing that wins|biggest mistake) (?:is|was)\b|"
    r"make sure|(?<!what )it(?:'s| is) (?:always )?worth|it pays to|"
    r"the (?:best|most useful|single most useful|first) thing (?:you|a \w+ team|a team|i'?d)|"
    r"(?:really|that really|most) matters|matters more|is everything|"
    r"i (?:always|never) (?!know|knew|feel|felt|think|thought|remember|forget|get|got|had|"
    r"have|did|do|was|liked|like|wanted|want to know)\w+|"
    r"i'?d (?:talk|ring|call|write|ask|send|go|start|always)\b)",
    re.I,
)
# "The pack should be short", "Every number needs a source": a rule stated about a thing.
_NORMATIVE = re.compile(
    r"^(?:the|every|each|any|your|all|no)\b(?:\s+[\w'-]+){0,5}?\s+"
    r"(?:should(?:n't)? be|must|needs?|has to|goes? (?:in|at|first|on top)|"
    r"comes? (?:first|second))\b",
    re.I,
)
_NEGATIVE_START = re.compile(r"^(?:don't|do not|never|always|avoid|resist|no need)\b", re.I)
_SUBORDINATE_START = re.compile(
    r"^(?:before|when|whenever|if|once|after|until|on|in|for|whatever|with|whoever|as)\b", re.I
)
_AUX = r"(?:do|does|did|is|are|was|were|can|could|would|will|should|shall|have|has|may|might)"
# A question without its question mark: "How long should a submission be", "Is it ...".
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


def advice_cue(
    sentence: str, settings: TipsSettings, names: frozenset[str] = frozenset()
) -> str | None:
    """Why this sentence reads as advice ("imperative", "phrase", "rule"), or None.

    Args:
        sentence: one sentence of a turn.
        settings: word limits.
        names: lowercased first names of the session's speakers: an imperative naming one
            ("Ask Jo", "reply to Siobhan") is an action for someone, not advice.
    """
    core = strip_lead_in(sentence).replace("’", "'")
    if not core or core.rstrip().endswith(("?", ",")) or _QUESTION_START.match(core):
        return None  # a question, or speech that trails off
    if sentence.lstrip("\"'“‘(")[:1].islower():
        return None  # starts mid-sentence: a transcript fragment
    words = core.split()
    if not settings.min_words <= len(words) <= settings.max_words:
        return None
    if len(content_terms(core)) < 2 or _ROOM_TALK.match(core) or _ARRANGEMENT.search(core):
        return None
    if words[-1].lower().strip(",.;:!-–—\"'”’") in _DANGLING:
        return None
    if disfluency(core) + _speech_noise(core) > settings.max_disfluency:
        return None
    if _is_imperative(core) or _imperative_after_clause(core):
        if _DEICTIC_OBJECT.match(core) or _names_someone(words[1:], names):
            return None
        return "imperative"
    phrase = _ADVICE_PHRASES.search(core)
    if phrase:
        before = core[: phrase.start()]
        if not (_CONDITIONAL.search(before) or _OWN_PLAN.search(before)):
            return "phrase"
    if _NORMATIVE.match(core):
        return "rule"
    return None


def _speech_noise(text: str) -> float:
    """Share of words that are cut off ("you should s") or verbal tics ("you know", "I mean")."""
    tokens = text.split()
    if not tokens:
        return 0.0
    cut = sum(1 for t in tokens if len(t.strip(",.;:!?")) == 1
              and t.lower().strip(",.;:!?") not in {"a", "i", "&", "-"})
    tics = 2 * len(_TICS.findall(text))
    return (cut + tics) / len(tokens)


def _is_imperative(core: str) -> bool:
    """'Put the ask first', 'Don't copy ...', 'Never ...': a base-form verb opens the sentence."""
    if _NEGATIVE_START.match(core):
        return True
    words = core.split()
    first = words[0].lower().strip(",.;:!\"'“”‘’")
    if first not in _IMPERATIVE_VERBS or len(words) < 2:
        return False
    second = words[1].lower().strip(",.;:!")
    # A verb followed by a subject or an auxiliary is narration ("Put it this way, I was ...").
    return second not in {"i", "i'm", "i've", "i'd", "we", "he", "she", "they", "was", "were",
                          "is", "so", "you", "to", "of", "my", "our"}


def _imperative_after_clause(core: str) -> bool:
    """'Before you draft a line, search Hansard': an imperative after an opening clause."""
    if not _SUBORDINATE_START.match(core):
        return False
    for part in core.split(",")[1:3]:
        part = strip_lead_in(part)
        if part and _is_imperative(part):
            return True
    return False


def _names_someone(words: list[str], names: frozenset[str]) -> bool:
    return any(w.strip(",.;:!'’s").lower() in names for w in words if w[:1].isupper())


def _quote_span(
    text: str, spans: list[_Span], i: int, cues: list[str | None], settings: TipsSettings
) -> _Span:
    """The sentence, extended by the next one when it is too short to stand alone.

    The next sentence is not taken when it is advice of its own (it becomes its own quote).
    """
    span = spans[i]
    short = len(text[span.start : span.end].split()) < settings.min_words + 3
    if short and i + 1 < len(spans) and cues[i + 1] is None:
        nxt = text[spans[i + 1].start : spans[i + 1].end]
        if not nxt.rstrip().endswith("?") and len(nxt.split()) <= settings.max_words:
            return _Span(span.start, spans[i + 1].end)
    return span


def _turn_candidates(
    session: Session, turn: Turn, settings: TipsSettings, names: frozenset[str]
) -> Iterator[Candidate]:
    text = turn.text
    if not text.strip():
        return
    spans = _sentence_spans(text)
    if not spans:
        return
    if is_tips_heading(turn.section, settings):
        if not text.rstrip().endswith((":", "?")):
            yield from _list_item(session, turn, spans, settings)
        return
    cues = [advice_cue(text[s.start : s.end], settings, names) for s in spans]
    taken_to = -1
    for i, span in enumerate(spans):
        if span.start < taken_to or cues[i] is None:
            continue
        quote_span = _quote_span(text, spans, i, cues, settings)
        taken_to = quote_span.end
        yield _candidate(session, turn, text[quote_span.start : quote_span.end], cues[i] or "")


def _list_item(
    session: Session, turn: Turn, spans: list[_Span], settings: TipsSettings
) -> Iterator[Candidate]:
    """An item of a tips list is advice by position; the whole item is the quote when short."""
    text = turn.text
    span = _Span(spans[0].start, spans[-1].end)
    if len(text[span.start : span.end].split()) > settings.max_words:
        span = _quote_span(text, spans, 0, [None] * len(spans), settings)
    if len(text[span.start : span.end].split()) >= settings.min_words - 1:
        yield _candidate(session, turn, text[span.start : span.end], "tips-list")


def _candidate(session: Session, turn: Turn, quote: str, cue: str) -> Candidate:
    return Candidate(
        session_id=session.id,
        speaker=turn.speaker,
        turn=turn.index,
        start=turn.start,
        end=turn.end,
        quote=quote,
        cue=cue,
        section=turn.section,
    )


def extract_candidates(session: Session, settings: TipsSettings) -> list[Candidate]:
    """Every advice quote in the session, in order; one per sentence at most."""
    names = frozenset(
        part.casefold() for speaker in session.speakers for part in speaker.split()[:2]
        if part[:1].isupper() and part.casefold() not in {"dr", "mr", "mrs", "ms", "prof"}
    )
    out: list[Candidate] = []
    for turn in session.turns:
        out.extend(_turn_candidates(session, turn, settings, names))
    return out
