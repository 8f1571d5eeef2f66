"""One definition of "the same person": which speaker labels name which person (stdlib only).

Order of evidence, most trusted first:

1. The people directory: a label whose key (see `name_key`) is a declared name or alias.
2. The label itself: honorifics ("Dr", "Ms", "Rt Hon"), post-nominals ("AM", "MP") and a
   descriptive parenthetical ("Gareth Llewellyn (Analysis)") do not change who it is.
3. The session: a first name alone ("Amara") is the one full name in the session with that
   first name; an initial ("Gareth L", "A. Okafor") is the one full name it abbreviates; a title
   and surname ("Dr Okafor") is the one full name with that surname.
4. The directory again, when the session has no full name to match: the one directory person
   with that first name (or initials, or titled surname).

Ambiguity never merges: two full names sharing a first name or a surname leave a first name or
a surname alone unresolved, and two different full names are never one person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Leading honorifics dropped before comparing; multi-word titles first ("rt hon" is one title).
TITLES: tuple[tuple[str, ...], ...] = (
    ("the", "rt", "hon"), ("the", "right", "honourable"), ("rt", "hon"), ("right", "honourable"),
    ("the", "hon"), ("hon",), ("dr",), ("doctor",), ("mr",), ("mrs",), ("ms",), ("miss",),
    ("mx",), ("prof",), ("professor",), ("sir",), ("dame",), ("lord",), ("lady",),
)
TITLE_WORDS = frozenset(word for title in TITLES for word in title)
# Trailing post-nominals dropped too ("Kirsty Williams AM" == "Kirsty Williams").
POST_NOMINALS = frozenset({"mp", "am", "ms", "msp", "mla", "kc", "qc", "obe", "mbe", "cbe"})

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SEPARATORS = re.compile(r"[\s.,;_]+|-(?=\s)|(?<=\s)-|^-|-$")
# A trailing "(Analysis)" describes; a "(ES2006)" or "(Bed002)" identifies, so it stays.
_DESCRIPTION = re.compile(r"\s*\((?P<inner>[^()\d]*)\)\s*$")


@dataclass(frozen=True)
class NameParts:
    """A label read as a name: tokens without titles, and whether a title was there."""

    tokens: tuple[str, ...]
    titled: bool

    @property
    def key(self) -> str:
        """The comparison key: tokens joined by spaces (hyphens count as spaces)."""
        return " ".join(self.tokens).replace("-", " ")

    @property
    def is_full(self) -> bool:
        """A first name and a surname, neither a bare initial."""
        return len(self.tokens) >= 2 and all(len(t) > 1 for t in (self.tokens[0], self.tokens[-1]))


def strip_description(label: str) -> str:
    """The label without a trailing descriptive parenthetical."""
    stripped = _DESCRIPTION.sub("", label)
    return stripped if stripped.strip() else label


def name_parts(label: str) -> NameParts:
    """Read a label: casefolded tokens with titles, post-nominals and a description removed."""
    text = unicodedata.normalize("NFKC", strip_description(label)).translate(_QUOTES).casefold()
    tokens = [t.strip("-") for t in _SEPARATORS.split(text) if t.strip("-")]
    titled = False
    changed = True
    while changed:
        changed = False
        for title in TITLES:
            n = len(title)
            # Never strip a title that is the whole name: "Dr" alone stays "dr".
            if len(tokens) > n and tuple(tokens[:n]) == title:
                tokens, titled, changed = tokens[n:], True, True
                break
    while len(tokens) > 1 and tokens[-1] in POST_NOMINALS:
        tokens.pop()
    return NameParts(tuple(tokens), titled)


def normalise_name(name: str) -> str:
    """The comparison key of a name or alias; empty when nothing is left.

    >>> normalise_name("  Dr. Amara   OKAFOR ")
    'amara okafor'
    """
    return name_parts(name).key


def _abbreviates(short: NameParts, full: NameParts) -> bool:
    """'gareth l' / 'a okafor' / titled 'okafor' / 'amara' against 'amara okafor'."""
    s, f = short.tokens, full.tokens
    if not s or short.is_full or not full.is_full:
        return False
    if len(s) == 1:
        if short.titled:
            return s[0] == f[-1]
        return s[0] == f[0]
    if len(s) == 2:
        first, last = s
        if len(last) == 1:  # "Gareth L"
            return first == f[0] and f[-1].startswith(last)
        if len(first) == 1:  # "A Okafor"
            return last == f[-1] and f[0].startswith(first)
    return False


def resolve_labels(
    labels: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    directory_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Map each label of one session to an identity key.

    Args:
        labels: the session's speaker labels as written.
        aliases: normalised alias -> person id (the directory's declared names and aliases).
        directory_names: person id -> the person's name, for matching short forms when the
            session has no full name that fits.

    Returns:
        Label -> the person id for directory people, else "name:<key>" of the full name the
        label resolves to (or of its own key when nothing fits).
    """
    aliases = aliases or {}
    labels = list(dict.fromkeys(labels))
    parts = {label: name_parts(label) for label in labels}
    out: dict[str, str] = {}
    for label, p in parts.items():
        person = aliases.get(p.key) or aliases.get(normalise_name(label))
        if person:
            out[label] = person
    fulls = {p.key: p for label, p in parts.items() if p.is_full}
    known = {pid: name_parts(name) for pid, name in (directory_names or {}).items()}
    for label, p in parts.items():
        if label in out:
            continue
        if p.is_full or not p.tokens:
            out[label] = f"name:{p.key}"
            continue
        in_session = [key for key, full in fulls.items() if _abbreviates(p, full)]
        if len(in_session) == 1:
            key = in_session[0]
            out[label] = aliases.get(key) or f"name:{key}"
            continue
        if not in_session:
            matches = [pid for pid, full in known.items() if _abbreviates(p, full)]
            if len(matches) == 1:
                out[label] = matches[0]
                continue
        out[label] = f"name:{p.key}"
    return out


def person_id_of(identity: str) -> str | None:
    """The directory person id an identity key stands for, or None for a name-only identity."""
    return None if identity.startswith("name:") else identity


def one_label_per_person(labels: Iterable[str]) -> dict[str, str]:
    """Each label of one session -> the label its person is listed under (their longest)."""
    labels = list(dict.fromkeys(labels))
    found = resolve_labels(labels)
    shown: dict[str, str] = {}
    for label in labels:
        current = shown.get(found[label])
        if current is None or len(label) > len(current):
            shown[found[label]] = label
    return {label: shown[found[label]] for label in labels}
