"""Speaker names as the directory compares them: case, spacing, punctuation and titles ignored."""

from __future__ import annotations

import re
import unicodedata

# Leading honorifics dropped before comparing ("Dr Amara Okafor" == "Amara Okafor"). Two-word
# titles come first so "rt hon" is not read as "rt" + "hon".
TITLES: tuple[tuple[str, ...], ...] = (
    ("the", "rt", "hon"),
    ("the", "right", "honourable"),
    ("rt", "hon"),
    ("right", "honourable"),
    ("the", "hon"),
    ("hon",),
    ("dr",),
    ("doctor",),
    ("mr",),
    ("mrs",),
    ("ms",),
    ("miss",),
    ("mx",),
    ("prof",),
    ("professor",),
    ("sir",),
    ("dame",),
)
# Trailing post-nominals dropped too ("Kirsty Williams AM" == "Kirsty Williams").
POST_NOMINALS = frozenset({"mp", "am", "ms", "msp", "mla", "kc", "qc", "obe", "mbe", "cbe"})

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SEPARATORS = re.compile(r"[\s.,;_-]+")


def normalise_name(name: str) -> str:
    """The comparison key of a name or alias; empty when nothing but titles is left.

    >>> normalise_name("  Dr. Amara   OKAFOR ")
    'amara okafor'
    """
    text = unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold()
    tokens = [t for t in _SEPARATORS.split(text) if t]
    tokens = _strip_titles(tokens)
    while len(tokens) > 1 and tokens[-1] in POST_NOMINALS:
        tokens.pop()
    return " ".join(tokens)


def _strip_titles(tokens: list[str]) -> list[str]:
    changed = True
    while changed:
        changed = False
        for title in TITLES:
            n = len(title)
            # Never strip a title that is the whole name: "Dr" alone stays "dr".
            if len(tokens) > n and tuple(tokens[:n]) == title:
                tokens = tokens[n:]
                changed = True
                break
    return tokens
