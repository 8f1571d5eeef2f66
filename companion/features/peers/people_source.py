"""Who a speaker is, for ranking: the people directory, or (for corpora without one) the labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Protocol

from companion.core.identity import TITLE_WORDS, normalise_name, strip_description
from companion.features.people import PeopleDirectory, Person
from companion.features.people.identities import Identities


class PersonResolver(Protocol):
    """Maps speaker labels to people; ranking sees only what this returns."""

    def person_for_speaker(self, name: str | None, session_id: str | None = None) -> Person | None:
        """The person a speaker label names (in that session), or None for an unknown speaker."""
        ...

    def find(self, id_or_alias: str) -> Person | None:
        """A person by id or alias (the asker to leave out)."""
        ...

    def mentioned_in(self, text: str) -> list[Person]:
        """People a piece of notes names by one of their declared aliases."""
        ...


class DirectoryResolver:
    """Speakers resolved through identity resolution (directory first), cached for one request.

    Args:
        directory: the people directory in the catalog.
    """

    def __init__(self, directory: PeopleDirectory) -> None:
        self.directory = directory
        self.identities = Identities(directory.catalog)

    @property
    def _people(self) -> dict[str, Person]:
        return self.identities.people

    def person_for_speaker(self, name: str | None, session_id: str | None = None) -> Person | None:
        """The directory person a label names in that session: aliases, then the label's forms."""
        return self.identities.person(name, session_id)

    def find(self, id_or_alias: str) -> Person | None:
        """A directory person by id or alias (or a name that names only them)."""
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
        forms = {a: p.id for p in self._people.values() for a in _written_forms(p)}
        firsts: dict[str, set[str]] = {}
        for p in self._people.values():
            tokens = strip_description(p.name).split()
            plain = [t for t in tokens if t.casefold().rstrip(".") not in TITLE_WORDS]
            if len(plain) >= 2:
                firsts.setdefault(plain[0], set()).add(p.id)
        for first, ids in firsts.items():
            if len(ids) == 1 and len(first) > 2:
                forms.setdefault(first, next(iter(ids)))  # a first name only one person has
        for form, person_id in forms.items():
            owner.setdefault(normalise_name(form), person_id)
        labels = sorted(forms, key=len, reverse=True)
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


def _written_forms(person: Person) -> set[str]:
    """How a person is written in text: name, aliases, and the name without its title."""
    forms = {person.name, *person.aliases}
    tokens = strip_description(person.name).split()
    while len(tokens) > 2 and tokens[0].casefold().rstrip(".") in TITLE_WORDS:
        tokens = tokens[1:]
    forms.add(" ".join(tokens))
    return {f for f in forms if f.strip()}


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

    def person_for_speaker(self, name: str | None, session_id: str | None = None) -> Person | None:
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
