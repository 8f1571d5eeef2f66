"""One versioned catalog schema: each feature registers ordered migrations; each runs once.

`schema_versions` records the last version applied per owner. Version 1 of every owner is the
`CREATE TABLE IF NOT EXISTS` script its store has always run, so a data dir made before this
table existed upgrades in place: version 1 finds its tables and only the record is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from companion.core.errors import ConfigurationError
from companion.core.feature import Migration
from companion.storage.catalog import Catalog

VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_versions (
  owner TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  applied_at TEXT NOT NULL
);
"""


def applied_versions(catalog: Catalog) -> dict[str, int]:
    """The last version applied for each owner."""
    catalog.ensure_schema(VERSIONS)
    rows = catalog.conn.execute("SELECT owner, version FROM schema_versions").fetchall()
    return {r[0]: int(r[1]) for r in rows}


def apply_migrations(catalog: Catalog, migrations: Iterable[Migration]) -> list[Migration]:
    """Apply every migration not yet applied, in version order per owner; returns those run.

    Raises:
        ConfigurationError: an owner's versions are not 1, 2, 3... or the catalog is newer
            than this code (it was written by a later version of the companion).
    """
    by_owner: dict[str, list[Migration]] = {}
    for m in migrations:
        by_owner.setdefault(m.owner, []).append(m)
    done = applied_versions(catalog)
    ran: list[Migration] = []
    for owner, steps in by_owner.items():
        steps.sort(key=lambda m: m.version)
        if [m.version for m in steps] != list(range(1, len(steps) + 1)):
            raise ConfigurationError(f"migrations of {owner!r} are not numbered 1, 2, 3...")
        current = done.get(owner, 0)
        if current > len(steps):
            raise ConfigurationError(
                f"the catalog's {owner!r} schema is version {current}, newer than this "
                f"companion knows ({len(steps)}): upgrade the companion"
            )
        for m in steps[current:]:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            # executescript commits on its own, so the script carries its own transaction.
            catalog.conn.executescript(
                f"BEGIN IMMEDIATE;\n{m.script}\n"
                f"INSERT INTO schema_versions (owner, version, applied_at) "
                f"VALUES ('{owner}', {m.version}, '{now}') ON CONFLICT(owner) DO UPDATE SET "
                f"version = excluded.version, applied_at = excluded.applied_at;\nCOMMIT;"
            )
            ran.append(m)
    return ran
