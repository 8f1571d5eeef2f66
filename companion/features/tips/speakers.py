"""Who counts as one speaker when counting support (the rules: `companion.core.identity`).

"Dr Sam Patel", "Sam Patel" and "Sam" are one person. The people directory decides
where it knows a label; otherwise titles and case are dropped and a first name alone joins the
only full name among the labels that starts with it ("Jo" -> "Jo Lee").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from companion.core.identity import normalise_name, resolve_labels


def speaker_key(label: str) -> str:
    """A label without honorifics, punctuation or case: 'Dr Amara Okafor' -> 'amara okafor'."""
    return normalise_name(label) or label.casefold().strip()


def person_keys(labels: Iterable[str], lookup: Callable[[str], str | None]) -> dict[str, str]:
    """Map each label to a person key across labels pooled from many sessions.

    The directory's id where it knows the label (or the full name the label resolves to),
    else the resolved name.
    """
    labels = list(labels)
    guessed = resolve_labels(labels)
    full_label = {ident: label for label, ident in guessed.items()
                  if ident == f"name:{normalise_name(label)}"}
    out: dict[str, str] = {}
    for label in labels:
        person = lookup(label) or lookup(full_label.get(guessed[label], label))
        out[label] = f"person:{person}" if person else guessed[label]
    return out
