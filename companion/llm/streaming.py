"""Turn a model's streamed text into sentences with the passage numbers they cite.

Models write citations in several ways: `Foo [2].`, `Foo. [2]`, `Foo [1][3]`, `Foo [1, 3]`,
`Foo [Passage 2]`, or as list items on their own lines. A sentence is complete once the next
one has begun (or a line ends), so sentences can be checked and shown while the model writes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from pydantic import BaseModel

_CITE = re.compile(
    r"\[\s*(?:passages?|quotes?|sources?|p)?\s*#?\s*(\d+(?:\s*(?:,|;|-|–|and)\s*#?\s*\d+)*)\s*\]",
    re.I,
)
# The end of a sentence: final punctuation (and closing quotes), any citation markers, then
# whitespace before something that is not another marker; or a line break.
_NOT_AN_END = r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
_BOUNDARY = re.compile(
    r"(?<=[.!?…])(?<!^\d\.)(?<!\n\d\.)" + _NOT_AN_END
    + r"[\"'”’)]*(?:\s*\[[^\]\n]{1,20}\])*[ \t]+(?=[^\s\[])"
    r"|(?<=\])[ \t]+(?=[A-Z])"  # "Foo [1] Bar": a marker without a full stop ends a sentence
    r"|\s*\n+\s*"
)
_BULLET = re.compile(r"^(?:[-*•]\s+|\d+[.)]\s+)")
_NOT_COVERED = re.compile(r"^\W*not\s+covered\b", re.I)


class SentenceEvent(BaseModel):
    """A verified answer sentence, sent as soon as it is known (SSE `sentence` event).

    `citations` are 1-based numbers into the final answer's `citations`.
    """

    index: int
    text: str
    citations: list[int]


@dataclass
class CitedSentence:
    """A sentence the model wrote, without markers, and the passage numbers it cites."""

    text: str
    passages: list[int] = field(default_factory=list)


def parse_sentence(raw: str) -> CitedSentence | None:
    """One sentence's text and cited passage numbers; None when nothing but markers."""
    numbers: list[int] = []
    for match in _CITE.finditer(raw):
        for lo, hi in _ranges(match.group(1)):
            numbers.extend(n for n in range(lo, hi + 1) if n not in numbers)
    text = _CITE.sub("", raw)
    text = _BULLET.sub("", text.strip())
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", html.unescape(text))).strip()
    if not re.search(r"\w", text):
        return None
    return CitedSentence(text, numbers)


def _ranges(spec: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", spec):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2 and bounds[0] <= bounds[1] <= bounds[0] + 20:
            out.append((bounds[0], bounds[1]))
        else:
            out.extend((b, b) for b in bounds)
    return out


def parse_cited_sentences(text: str) -> list[CitedSentence]:
    """All sentences of a finished reply."""
    splitter = SentenceSplitter()
    return [*splitter.feed(text), *splitter.flush()]


def says_not_covered(text: str) -> bool:
    """Whether the reply is the prompt's "NOT COVERED" abstention."""
    return bool(_NOT_COVERED.match(text))


class SentenceSplitter:
    """Accumulates streamed text and releases sentences once they are complete."""

    def __init__(self) -> None:
        self.buffer = ""
        self.text = ""

    def feed(self, piece: str) -> list[CitedSentence]:
        """Sentences completed by this piece of text."""
        self.buffer += piece
        self.text += piece
        out: list[CitedSentence] = []
        start = 0
        for match in _BOUNDARY.finditer(self.buffer):
            raw = self.buffer[start : match.end()]
            # Markers that open the next segment ("Foo. [1] Bar") belong to the sentence before:
            # the boundary pattern already swallows them with the punctuation.
            sentence = parse_sentence(raw)
            if sentence is not None:
                out.append(sentence)
            start = match.end()
        self.buffer = self.buffer[start:]
        return out

    def flush(self) -> list[CitedSentence]:
        """The last sentence, once the reply has ended."""
        sentence = parse_sentence(self.buffer)
        self.buffer = ""
        return [sentence] if sentence is not None else []
