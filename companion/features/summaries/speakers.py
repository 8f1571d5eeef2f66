"""Who a sentence addresses: a participant named in it ("And Amara, can you ...")."""

from __future__ import annotations

import re

_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "professor", "sir", "dame", "lord"})
_GENERIC = frozenset({"participant", "guest", "speaker", "facilitator", "unknown", "the"})


def name_forms(label: str) -> list[str]:
    """How people address a speaker: "Dr Sam Patel" -> Dr Sam Patel, Sam Patel, Sam."""
    tokens = label.split()
    while tokens and tokens[0].lower().rstrip(".") in _TITLES:
        tokens = tokens[1:]
    if not tokens or tokens[0].lower() in _GENERIC:
        return [label]
    forms = [label, " ".join(tokens), tokens[0]]
    if len(tokens) >= 3:
        forms.append(" ".join(tokens[:2]))  # "Mei Lin" of "Mei Lin Chen"
    return list(dict.fromkeys(forms))


class AddressBook:
    """Finds participants named in text, longest form first ("Mei Lin" before "Mei").

    Args:
        speakers: the session's speaker labels.
    """

    def __init__(self, speakers: list[str]) -> None:
        owner: dict[str, str] = {}
        for label in speakers:
            for form in name_forms(label):
                owner.setdefault(form, label)
        self._owner = owner
        forms = sorted(owner, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w'-])")
            if forms
            else None
        )

    def named_in(self, text: str, besides: str | None = None) -> list[str]:
        """Speaker labels named in the text (in order), leaving out `besides`."""
        if self._pattern is None:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(text):
            label = self._owner[match.group(0)]
            if label != besides:
                found.setdefault(label, None)
        return list(found)
