"""Text basics every layer shares: sentences, normalising, disfluency, clock times."""

from __future__ import annotations

import re
import unicodedata

from companion.core.terms import words

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…][\"'”’)\]])|(?<=[.!?…]))\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_DISFLUENT = frozenset({"um", "uh", "mm", "hmm", "er", "erm", "ah", "uh-huh", "mm-hmm", "huh"})


def split_sentences(text: str) -> list[str]:
    """Split text after sentence-final punctuation; never returns empty strings."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def normalise(text: str) -> str:
    """Casefolded text with whitespace collapsed and typographic quotes made plain."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


def disfluency(text: str) -> float:
    """Share of tokens that are hesitations or immediate repeats ("the the")."""
    tokens = words(text)
    if not tokens:
        return 1.0
    bad = sum(1 for t in tokens if t in _DISFLUENT)
    bad += sum(1 for a, b in zip(tokens, tokens[1:], strict=False) if a == b)
    return bad / len(tokens)


def clock(seconds: float | None) -> str:
    """Seconds as m:ss or h:mm:ss; empty when unknown."""
    if seconds is None:
        return ""
    h, rem = divmod(int(seconds), 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def strip_invisible(text: str) -> str:
    """The text without format characters (zero-width spaces and joiners, BOMs, bidi marks).

    >>> strip_invisible("\u200b\u200d\ufeff")
    ''
    """
    return "".join(c for c in text if unicodedata.category(c) != "Cf")
