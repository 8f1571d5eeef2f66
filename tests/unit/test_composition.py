"""The composition root: one schema with versioned migrations, features wired once, hooks used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from companion.app import Companion
from companion.core.errors import ConfigurationError
from companion.core.feature import Migration
from companion.core.settings import Settings
from companion.retrieval.context import Context
from companion.storage.catalog import Catalog
from companion.storage.migrations import applied_versions, apply_migrations

OLD_FEEDBACK = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, question TEXT, answer TEXT,
    citation TEXT, url TEXT, comment TEXT, key_id TEXT, origin TEXT, created_at TEXT NOT NULL
);
INSERT INTO feedback (kind, answer, created_at) VALUES ('helpful', 'kept', '2026-01-01');
"""


def test_each_migration_runs_once_in_order(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite3")
    steps = [
        Migration("notes", 2, "ALTER TABLE notes ADD COLUMN body TEXT;"),
        Migration("notes", 1, "CREATE TABLE notes (id INTEGER PRIMARY KEY);"),
    ]
    assert [m.version for m in apply_migrations(catalog, steps)] == [1, 2]
    assert apply_migrations(catalog, steps) == []  # a second run changes nothing
    assert applied_versions(catalog)["notes"] == 2
    cols = {r[1] for r in catalog.conn.execute("PRAGMA table_info(notes)")}
    assert cols == {"id", "body"}


def test_a_gap_in_versions_or_a_newer_catalog_is_refused(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite3")
    with pytest.raises(ConfigurationError, match="numbered"):
        apply_migrations(catalog, [Migration("x", 2, "SELECT 1;")])
    apply_migrations(catalog, [Migration("y", 1, "SELECT 1;"), Migration("y", 2, "SELECT 1;")])
    with pytest.raises(ConfigurationError, match="newer"):
        apply_migrations(catalog, [Migration("y", 1, "SELECT 1;")])


def test_a_data_dir_from_before_versioning_upgrades_in_place(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / "catalog.sqlite3")
    conn.executescript(OLD_FEEDBACK)
    conn.close()
    companion = Companion(Settings(data_dir=data))
    companion.migrate()
    versions = applied_versions(companion.ctx.catalog)
    assert {"catalog", "feedback", "tips", "people", "summaries", "peers", "keys"} <= set(versions)
    rows = companion.ctx.catalog.conn.execute("SELECT answer FROM feedback").fetchall()
    assert [r[0] for r in rows] == ["kept"]  # nothing already stored is lost


def test_features_are_built_once_and_each_owns_distinct_tables(fake_ctx: Context) -> None:
    companion = Companion(ctx=fake_ctx)
    assert companion.features is companion.features
    assert companion.tips is companion.feature("tips").service
    owned = [t for f in companion.features for t in f.tables]
    assert len(owned) == len(set(owned))
    names = {r[0] for r in fake_ctx.catalog.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(owned) <= names  # every declared table exists after migration
    listeners = companion.pipeline().listeners
    assert [type(x).__name__ for x in listeners] == [
        "TipsListener", "SummariesListener", "LoopListener"
    ]
