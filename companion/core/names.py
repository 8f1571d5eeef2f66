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


_BRACKETED = re.compile(r"[(\[{].*?[)\]}]")
_ROLE_SUFFIX = re.compile(r"\s+[-–—|/]\s+.*$|,.*$")
_WORD = re.compile(r"[^\W\d_]+")
MIN_MENTION_CHARS = 3


def label_keys(label: str) -> set[str]:
    """The comparison keys a speaker label may stand for: as written, and without a role.

    "Gareth Llewellyn (Analysis)", "Gareth Llewellyn - Analysis" and "Gareth Llewellyn, SCS"
    all give "gareth llewellyn" too, so a label decorated with a team still matches the name.

    >>> sorted(label_keys("Gareth Llewellyn (Analysis)"))
    ['gareth llewellyn', 'gareth llewellyn analysis']
    """
    keys = {normalise_name(label), normalise_name(_ROLE_SUFFIX.sub("", _BRACKETED.sub(" ", label)))}
    return {k for k in keys if k}


def variant_keys(label: str) -> set[str]:
    """Keys under which another label names the same person: `label_keys` plus "first l".

    "Gareth L" and "Gareth L." are how transcription tools shorten "Gareth Llewellyn".
    """
    keys = label_keys(label)
    for key in list(keys):
        tokens = key.split()
        if len(tokens) >= 2:
            keys.add(f"{tokens[0]} {tokens[-1][0]}")
    return keys


def mention_forms(label: str) -> set[str]:
    """How others say this person's name in text: the name without a role, and the first name.

    >>> sorted(mention_forms("Dr Gareth Llewellyn (Analysis)"))
    ['gareth', 'gareth llewellyn']
    """
    base = normalise_name(_ROLE_SUFFIX.sub("", _BRACKETED.sub(" ", label)))
    tokens = base.split()
    forms = {base} if base else set()
    if len(tokens) >= 2 and len(tokens[0]) >= MIN_MENTION_CHARS:
        forms.add(tokens[0])
    return forms


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of a text as (start, end, comparison key): letters only, casefolded."""
    return [
        (m.start(), m.end(), unicodedata.normalize("NFKC", m.group()).casefold())
        for m in _WORD.finditer(text)
    ]
