"""The people directory in the catalog: people, their aliases, and speaker -> person linking."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from companion.core.names import normalise_name
from companion.features.people.loader import PeopleFileError, PersonEntry
from companion.features.people.models import Person
from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT,
    team TEXT,
    contact TEXT,
    recommendable INTEGER NOT NULL DEFAULT 0,
    aliases TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL
);
-- One row per normalised alias (the person's name included): the only way a speaker label
-- becomes a person. A first name links only when someone declared it.
CREATE TABLE IF NOT EXISTS person_aliases (
    alias TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS person_aliases_person ON person_aliases(person_id);
"""

# Catalogs whose people tables exist already (creating them takes a write lock).

def ensure_people_schema(catalog: Catalog) -> None:
    """Create the people tables in this catalog once per process."""
    catalog.ensure_schema(SCHEMA)


@dataclass
class LoadReport:
    """What `people load` changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


class PeopleDirectory:
    """People stored in the catalog, looked up by id or by any alias.

    Args:
        catalog: the catalog holding the people tables (created on first use).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        ensure_people_schema(catalog)

    def upsert(self, entries: list[PersonEntry], source: str = "people file") -> LoadReport:
        """Add or replace these people and their aliases in one transaction.

        Raises:
            PeopleFileError: An alias already belongs to someone not being loaded.
        """
        report = LoadReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        loading = {e.person.id for e in entries}
        with self.catalog.transaction() as conn:
            for entry in entries:
                for alias, line in entry.alias_lines.items():
                    row = conn.execute(
                        "SELECT person_id FROM person_aliases WHERE alias = ?",
                        (normalise_name(alias),),
                    ).fetchone()
                    if row is not None and row[0] not in loading:
                        raise PeopleFileError(
                            source,
                            f"alias '{alias}' already names '{row[0]}' in the directory",
                            line=line,
                        )
            for entry in entries:
                p = entry.person
                exists = conn.execute("SELECT 1 FROM people WHERE id = ?", (p.id,)).fetchone()
                (report.updated if exists else report.added).append(p.id)
                conn.execute(
                    "INSERT INTO people (id, name, role, team, contact, recommendable, aliases,"
                    " updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                    " name=excluded.name, role=excluded.role, team=excluded.team,"
                    " contact=excluded.contact, recommendable=excluded.recommendable,"
                    " aliases=excluded.aliases, updated_at=excluded.updated_at",
                    (p.id, p.name, p.role, p.team, p.contact, int(p.recommendable),
                     json.dumps(p.aliases, ensure_ascii=False), now),
                )
                conn.execute("DELETE FROM person_aliases WHERE person_id = ?", (p.id,))
            for entry in entries:
                conn.executemany(
                    "INSERT OR REPLACE INTO person_aliases (alias, person_id, label)"
                    " VALUES (?,?,?)",
                    [(normalise_name(a), entry.person.id, a) for a in entry.alias_lines],
                )
        return report

    def list(self) -> list[Person]:
        """Everyone in the directory, by name."""
        rows = self.catalog.conn.execute("SELECT * FROM people ORDER BY name, id").fetchall()
        return [_person(r) for r in rows]

    def get(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        row = self.catalog.conn.execute(
            "SELECT * FROM people WHERE id = ?", (person_id,)
        ).fetchone()
        return _person(row) if row is not None else None

    def resolve_speaker(self, name: str | None) -> str | None:
        """The id of the person a speaker label names, or None for an unknown speaker."""
        if not name:
            return None
        key = normalise_name(name)
        if not key:
            return None
        row = self.catalog.conn.execute(
            "SELECT person_id FROM person_aliases WHERE alias = ?", (key,)
        ).fetchone()
        return str(row[0]) if row is not None else None

    def person_for_speaker(self, name: str | None) -> Person | None:
        """The person a speaker label names, or None."""
        person_id = self.resolve_speaker(name)
        return self.get(person_id) if person_id else None

    def find(self, id_or_alias: str) -> Person | None:
        """A person by exact id, else by alias (as `--exclude ME` accepts either)."""
        return self.get(id_or_alias.strip()) or self.person_for_speaker(id_or_alias)


    def labels(self, person: Person) -> set[str]:
        """Every label the person is known by: name, aliases and the alias rows."""
        rows = self.catalog.conn.execute(
            "SELECT label FROM person_aliases WHERE person_id = ?", (person.id,)
        )
        return {person.name, *person.aliases, *(r[0] for r in rows)}

    def remove(self, person_id: str) -> None:
        """Remove a person and their aliases from the directory."""
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM person_aliases WHERE person_id = ?", (person_id,))
            conn.execute("DELETE FROM people WHERE id = ?", (person_id,))


def _person(row: object) -> Person:
    r = dict(row)  # type: ignore[call-overload]
    return Person(
        id=r["id"], name=r["name"], aliases=json.loads(r["aliases"]), role=r["role"],
        team=r["team"], contact=r["contact"], recommendable=bool(r["recommendable"]),
    )
