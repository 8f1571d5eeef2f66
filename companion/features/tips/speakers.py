"""Who counts as one speaker when counting support.

"Dr Amara Okafor", "Amara Okafor" and "Amara" are one person. The people directory decides
where it knows a label. Otherwise: drop honorifics and case, and let a one-word label join the
only full name in the registry that starts with it ("Tom" -> "Tom Reyes"); when two full names
share that first name, the one-word label stays its own speaker rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_HONORIFICS = frozenset(
    "dr mr mrs ms miss mx prof professor sir dame lord lady hon rt the".split()
)
_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def speaker_key(label: str) -> str:
    """A label without honorifics, punctuation or case: 'Dr Amara Okafor' -> 'amara okafor'."""
    tokens = [t for t in _TOKEN.findall(label.casefold()) if t not in _HONORIFICS]
    return " ".join(tokens) or label.casefold().strip()


def resolve_speakers(labels: Iterable[str]) -> dict[str, str]:
    """Map each label to a person key, joining first-name-only labels to a unique full name."""
    keys = {label: speaker_key(label) for label in labels}
    full_by_first: dict[str, set[str]] = {}
    for key in keys.values():
        parts = key.split()
        if len(parts) > 1:
            full_by_first.setdefault(parts[0], set()).add(key)
    resolved: dict[str, str] = {}
    for label, key in keys.items():
        fulls = full_by_first.get(key, set()) if " " not in key else set()
        resolved[label] = next(iter(fulls)) if len(fulls) == 1 else key
    return resolved


def person_keys(labels: Iterable[str], lookup: Callable[[str], str | None]) -> dict[str, str]:
    """Map each label to a person key.

    The directory's id where it knows the label (or the full name the label resolves to),
    else the label's own key.
    """
    labels = list(labels)
    guessed = resolve_speakers(labels)
    out: dict[str, str] = {}
    for label in labels:
        person = lookup(label) or lookup(guessed[label])
        out[label] = f"person:{person}" if person else guessed[label]
    return out
