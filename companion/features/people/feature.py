"""The people feature as the composition root wires it."""

from __future__ import annotations

from companion.core.feature import Feature, Migration
from companion.features.people.directory import SCHEMA, PeopleDirectory
from companion.retrieval.context import Context

MIGRATIONS = (Migration("people", 1, SCHEMA),)

def build(ctx: Context) -> Feature:
    """The people directory: one identity per person, with aliases."""
    return Feature(
        name="people", service=PeopleDirectory(ctx.catalog), tables=("people", "person_aliases"),
    )
