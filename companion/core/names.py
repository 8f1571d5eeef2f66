"""Speaker names as the directory and forget compare them (the key is `core.identity`'s)."""

from __future__ import annotations

import re
import unicodedata

from companion.core.identity import POST_NOMINALS, TITLES, normalise_name

# One definition of titles, post-nominals and the comparison key: companion.core.identity.
__all__ = ["POST_NOMINALS", "TITLES", "label_keys", "mention_forms", "normalise_name",
           "variant_keys", "words"]


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
