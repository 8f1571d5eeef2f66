"""Who a speaker is, for ranking: the people directory, or (for corpora without one) the labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Protocol

from companion.core.names import normalise_name
from companion.features.people import PeopleDirectory, Person


class PersonResolver(Protocol):
    """Maps speaker labels to people; ranking sees only what this returns."""

    def person_for_speaker(self, name: str | None) -> Person | None:
        """The person a speaker label names, or None for an unknown speaker."""
        ...

    def find(self, id_or_alias: str) -> Person | None:
        """A person by id or alias (the asker to leave out)."""
        ...

    def mentioned_in(self, text: str) -> list[Person]:
        """People a piece of notes names by one of their declared aliases."""
        ...


class DirectoryResolver:
    """Speakers resolved through the people directory, with lookups cached for one request.

    Args:
        directory: the people directory in the catalog.
    """

    def __init__(self, directory: PeopleDirectory) -> None:
        self.directory = directory
        self._by_label: dict[str, Person | None] = {}

    @cached_property
    def _people(self) -> dict[str, Person]:
        return {p.id: p for p in self.directory.list()}

    def person_for_speaker(self, name: str | None) -> Person | None:
        """The directory person for a speaker label (aliases only, never a guess)."""
        if not name:
            return None
        if name not in self._by_label:
            person_id = self.directory.resolve_speaker(name)
            self._by_label[name] = self._people.get(person_id) if person_id else None
        return self._by_label[name]

    def find(self, id_or_alias: str) -> Person | None:
        """A directory person by id or alias."""
        return self._people.get(id_or_alias.strip()) or self.person_for_speaker(id_or_alias)

    @cached_property
    def _mention_pattern(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        owner: dict[str, str] = {}
        for person in self._people.values():
            for label in {person.name, *person.aliases}:
                owner.setdefault(normalise_name(label), person.id)
        if not owner:
            return None, owner
        # Longest first, so "Tom Reyes" wins over "Tom"; names are matched as written (capitals).
        labels = sorted({a for p in self._people.values() for a in (p.name, *p.aliases)},
                        key=len, reverse=True)
        pattern = r"(?<![\w'])(?:" + "|".join(re.escape(a) for a in labels) + r")(?![\w-])"
        return re.compile(pattern), owner

    def mentioned_in(self, text: str) -> list[Person]:
        """People the text talks about by a declared alias, in order of first mention.

        Someone only addressed ("Thanks, Jo.", "Tom, you said...", "Please, Gareth.") is not
        talked about, so those mentions do not count.
        """
        pattern, owner = self._mention_pattern
        if pattern is None:
            return []
        text = text.replace("’", "'")
        found: dict[str, Person] = {}
        for match in pattern.finditer(text):
            if is_addressed(text, match.start(), match.end()):
                continue
            person_id = owner.get(normalise_name(match.group(0)))
            if person_id and person_id in self._people:
                found.setdefault(person_id, self._people[person_id])
        return list(found.values())


_GREETING = re.compile(
    r"(?:thanks|thank you|cheers|hi|hello|hey|welcome|morning|afternoon|please|over to you|"
    r"go on|sorry|yes|no|okay|ok|right|so)[,!.]?\s*$",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)\s*$")


def is_addressed(text: str, start: int, end: int) -> bool:
    """True when the name at text[start:end] is someone spoken to, not spoken about."""
    before = text[max(0, start - 20):start]
    if _GREETING.search(before):
        return True
    after = text[end:end + 1]
    # A vocative: the name opens a sentence and a comma follows ("Tom, you said...").
    return after in (",", "?") and bool(_SENTENCE_START.search(before))


class SpeakerLabelResolver:
    """Every distinct speaker label is its own recommendable person (corpora with no directory).

    Args:
        canonical: maps variants of one label to the same person id (default: the label).
    """

    def __init__(self, canonical: Callable[[str], str] | None = None) -> None:
        self.canonical = canonical or (lambda label: label)

    def person_for_speaker(self, name: str | None) -> Person | None:
        """A person whose id and name are the (canonical) label."""
        label = self.canonical(name) if name else ""
        if not label:
            return None
        return Person(id=label, name=label, aliases=[name or label], recommendable=True)

    def find(self, id_or_alias: str) -> Person | None:
        """The label itself."""
        return self.person_for_speaker(id_or_alias.strip())

    def mentioned_in(self, text: str) -> list[Person]:
        """Labels are not names people write in notes."""
        return []
