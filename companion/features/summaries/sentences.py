"""A session as sentences that keep their turn, speaker and time, so every pick cites itself.

Each `Sentence.text` is an exact substring of its turn's text, so its `evidence()` is a quote the
`GroundingVerifier` accepts. Filler (backchannels, fragments, disfluent runs) is marked here once
for every section of the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.core.schemas import Evidence, Session, Turn
from companion.core.settings import SummarySettings
from companion.core.terms import content_terms
from companion.core.text import disfluency, split_sentences

BACKCHANNELS = frozenset(
    """yeah yes yep no nope okay ok right sure mm mm-hmm hmm uh-huh um uh oh ah great lovely
    brilliant cool fine thanks thank you alright exactly absolutely indeed true good nice
    perfect fair""".split()
)
# Openers of a clause that only makes sense after the previous turn ("And that you lose ...").
_FRAGMENT = re.compile(r"^\W*(?:(?:and|but|so|or)\s+)?(?:that|because|which|like|whereas)\b", re.I)
# Greetings and thanks: the social glue of a session, not its content.
_SOCIAL = re.compile(
    r"^\W*(?:(?:and|so|okay|ok|right|well),?\s+)?(?:hello|hi|hiya|welcome|good (?:morning|"
    r"afternoon|evening)|thanks|thank you|cheers|bye|see you)\b",
    re.I,
)
# Notes headings whose items are actions or open questions, not content for the overview.
_ACTIONS_HEADING = re.compile(r"\b(?:actions?|action items|next steps|to ?dos?)\b", re.I)
_QUESTIONS_HEADING = re.compile(
    r"\b(?:open|unanswered|outstanding|parked)\s+(?:questions?|issues?)\b|^\s*questions?\s*$", re.I
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a turn (or a span of one), in session order."""

    position: int
    turn: Turn
    text: str
    offset: int = 0  # where the text starts in the turn's text

    @property
    def speaker(self) -> str | None:
        """Who said it (the author, for notes)."""
        return self.turn.speaker

    @property
    def is_question(self) -> bool:
        """True when it ends with a question mark."""
        return self.text.rstrip(" \"'”’)").endswith("?")

    def evidence(self, session_id: str, quote: str | None = None) -> Evidence:
        """The sentence (or a part of it) as a citation of its turn."""
        return turn_evidence(session_id, self.turn, quote if quote is not None else self.text)


def turn_evidence(session_id: str, turn: Turn, quote: str) -> Evidence:
    """A citation of one turn; `quote` must be a substring of the turn's text."""
    return Evidence(
        session_id=session_id, speaker=turn.speaker, start=turn.start, end=turn.end,
        turn_start=turn.index, turn_end=turn.index, quote=quote,
    )


def session_sentences(session: Session) -> list[Sentence]:
    """Every sentence of every turn, exact substrings, in order."""
    out: list[Sentence] = []
    for turn in session.turns:
        pos = 0
        for piece in split_sentences(turn.text):
            begin = turn.text.find(piece, pos)
            if begin < 0:  # split_sentences only strips; never misquote if it ever changes
                continue
            pos = begin + len(piece)
            out.append(Sentence(len(out), turn, piece, begin))
    return out


def is_actions_section(section: str | None) -> bool:
    """True for a notes heading such as "Actions" or "Next steps"."""
    return bool(section and _ACTIONS_HEADING.search(section))


def is_questions_section(section: str | None) -> bool:
    """True for a notes heading such as "Open questions"."""
    return bool(section and _QUESTIONS_HEADING.search(section))


def is_backchannel(text: str) -> bool:
    """True for "Yeah.", "Okay, sure.", "Mm-hmm." and the like."""
    tokens = [t for t in re.findall(r"[a-z]+(?:-[a-z]+)?", text.lower())]
    return bool(tokens) and all(t in BACKCHANNELS for t in tokens)


def is_content(sentence: Sentence, settings: SummarySettings) -> bool:
    """True for a sentence that can stand in an overview: not filler, not a question."""
    text = sentence.text
    if sentence.is_question or is_backchannel(text) or _FRAGMENT.match(text) \
            or _SOCIAL.match(text):
        return False
    section = sentence.turn.section
    if is_actions_section(section) or is_questions_section(section):
        return False
    n = len(text.split())
    if not settings.min_words <= n <= settings.max_words:
        return False
    if len(set(content_terms(text))) < settings.min_content_terms:
        return False
    return disfluency(text) <= settings.max_disfluency
