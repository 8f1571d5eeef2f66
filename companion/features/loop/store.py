"""The loop's tables: `tries` (with outcomes and reflections) and `learner_origins`.

A learner is only a pseudonymous id the embedding page passes; it is bound to the first widget
origin that used it, so another site's widget key cannot read or write that learner's tries.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS tries (
    id TEXT PRIMARY KEY,
    learner TEXT NOT NULL,
    tip_id TEXT,
    question TEXT,
    key_id TEXT,
    origin TEXT,
    created_at TEXT NOT NULL,
    outcome TEXT,
    outcome_at TEXT,
    reflection TEXT,
    share INTEGER NOT NULL DEFAULT 0,
    reflection_session TEXT
);
CREATE INDEX IF NOT EXISTS tries_learner ON tries(learner);
CREATE INDEX IF NOT EXISTS tries_tip ON tries(tip_id);
CREATE INDEX IF NOT EXISTS tries_created ON tries(created_at);
CREATE TABLE IF NOT EXISTS learner_origins (
    learner TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    bound_at TEXT NOT NULL
);
"""
TABLES = ("tries", "learner_origins")


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class TryStore:
    """Rows of `tries` and `learner_origins` (SQL on these tables lives only here).

    Args:
        catalog: the catalog the tables live in (the composition root migrates them).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    # -- learners ----------------------------------------------------------------------------

    def origin_of(self, learner: str) -> str | None:
        """The widget origin a learner is bound to, if any."""
        row = self.catalog.conn.execute(
            "SELECT origin FROM learner_origins WHERE learner = ?", (learner,)
        ).fetchone()
        return row[0] if row else None

    def bind(self, learner: str, origin: str) -> str:
        """Bind a learner to an origin unless already bound; returns the bound origin."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO learner_origins (learner, origin, bound_at) VALUES (?,?,?)",
                (learner, origin, now_iso()),
            )
            row = conn.execute(
                "SELECT origin FROM learner_origins WHERE learner = ?", (learner,)
            ).fetchone()
        return str(row[0])

    # -- tries -------------------------------------------------------------------------------

    def add(
        self, learner: str, tip_id: str | None, question: str | None,
        key_id: str | None, origin: str | None,
    ) -> dict[str, Any]:
        """A new open try; returns its row."""
        try_id = "try-" + secrets.token_hex(8)
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT INTO tries (id, learner, tip_id, question, key_id, origin, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (try_id, learner, tip_id, question, key_id, origin, now_iso()),
            )
        found = self.get(try_id)
        assert found is not None
        return found

    def get(self, try_id: str) -> dict[str, Any] | None:
        """One try's row."""
        row = self.catalog.conn.execute("SELECT * FROM tries WHERE id = ?", (try_id,)).fetchone()
        return dict(row) if row else None

    def of_learner(self, learner: str) -> list[dict[str, Any]]:
        """A learner's tries, newest first."""
        rows = self.catalog.conn.execute(
            "SELECT * FROM tries WHERE learner = ? ORDER BY created_at DESC, id", (learner,)
        ).fetchall()
        return [dict(r) for r in rows]

    def all(self) -> list[dict[str, Any]]:
        """Every try, oldest first (for impact figures)."""
        rows = self.catalog.conn.execute("SELECT * FROM tries ORDER BY created_at, id").fetchall()
        return [dict(r) for r in rows]

    def of_tips(self, tip_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The tries of some tips."""
        ids = sorted(set(tip_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.catalog.conn.execute(
            f"SELECT * FROM tries WHERE tip_id IN ({marks}) ORDER BY created_at DESC", ids
        ).fetchall()
        return [dict(r) for r in rows]

    def tip_ids(self) -> list[str]:
        """Every tip id some try names."""
        rows = self.catalog.conn.execute(
            "SELECT DISTINCT tip_id FROM tries WHERE tip_id IS NOT NULL"
        ).fetchall()
        return [r[0] for r in rows]

    def close(
        self, try_id: str, outcome: str, reflection: str | None, share: bool
    ) -> dict[str, Any]:
        """Record (or change) a try's outcome and reflection."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE tries SET outcome = ?, reflection = ?, share = ?, outcome_at = ? "
                "WHERE id = ?",
                (outcome, reflection, int(share), now_iso(), try_id),
            )
        found = self.get(try_id)
        assert found is not None
        return found

    def set_reflection_session(self, try_id: str, session_id: str | None) -> None:
        """Remember (or clear) the session a shared reflection was ingested as."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE tries SET reflection_session = ? WHERE id = ?", (session_id, try_id)
            )

    def set_reflection(self, try_id: str, text: str) -> None:
        """Replace a reflection's text (redaction)."""
        with self.catalog.transaction() as conn:
            conn.execute("UPDATE tries SET reflection = ? WHERE id = ?", (text, try_id))

    def session_gone(self, session_id: str) -> None:
        """A reflection's session was deleted elsewhere (retention, `sessions delete`)."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE tries SET reflection_session = NULL WHERE reflection_session = ?",
                (session_id,),
            )

    def delete(self, try_ids: Iterable[str]) -> int:
        """Delete tries; returns how many went."""
        ids = list(try_ids)
        with self.catalog.transaction() as conn:
            cur = conn.executemany("DELETE FROM tries WHERE id = ?", [(i,) for i in ids])
        return cur.rowcount if cur.rowcount >= 0 else len(ids)

    def forget_learner(self, learner: str) -> None:
        """Remove a learner's binding (their tries are deleted one by one first)."""
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM learner_origins WHERE learner = ?", (learner,))

    def older_than(self, cutoff: str) -> list[dict[str, Any]]:
        """Tries created before `cutoff` (ISO time)."""
        rows = self.catalog.conn.execute(
            "SELECT * FROM tries WHERE created_at < ?", (cutoff,)
        ).fetchall()
        return [dict(r) for r in rows]

    def unbound_learners(self) -> int:
        """Drop bindings of learners with no tries left; returns how many."""
        with self.catalog.transaction() as conn:
            cur: sqlite3.Cursor = conn.execute(
                "DELETE FROM learner_origins WHERE learner NOT IN (SELECT learner FROM tries)"
            )
        return cur.rowcount
