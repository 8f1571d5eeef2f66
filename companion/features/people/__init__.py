"""The people directory: who speaks in sessions, under which names, and who may be suggested."""

from __future__ import annotations

from companion.core.names import normalise_name
from companion.features.people.directory import LoadReport, PeopleDirectory
from companion.features.people.loader import PeopleFileError, load_people_file
from companion.features.people.models import Person
from companion.storage.catalog import Catalog

__all__ = [
    "LoadReport",
    "PeopleDirectory",
    "PeopleFileError",
    "Person",
    "load_people_file",
    "normalise_name",
    "resolve_speaker",
]


def resolve_speaker(catalog: Catalog, name: str | None) -> str | None:
    """The person id a speaker label names in the catalog's directory; None when unknown."""
    return PeopleDirectory(catalog).resolve_speaker(name)
