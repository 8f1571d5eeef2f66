"""The tip tables in the catalog: tips, their quotes (with vectors), links and review history.

A tip row outlives its quotes while it carries review decisions, so re-ingesting a session
finds the same tip (and its status, wording and history) again. Quote vectors are stored so a
new session is clustered against the registry without embedding anything but its own quotes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS tips (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    -- vector of the quote that created the tip: finds the tip again when it has no quotes left
    anchor BLOB NOT NULL,
    anchor_quote TEXT NOT NULL,
    anchor_session TEXT,
    status TEXT NOT NULL DEFAULT 'unreviewed',
    edited_text TEXT,
    merged_into TEXT
);
CREATE TABLE IF NOT EXISTS tip_quotes (
    id INTEGER PRIMARY KEY,
    tip_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    speaker TEXT,
    turn INTEGER NOT NULL,
    start REAL,
    "end" REAL,
    quote TEXT NOT NULL,
    quote_hash TEXT NOT NULL,
    section TEXT,
    cue TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS tip_quotes_tip ON tip_quotes(tip_id);
CREATE INDEX IF NOT EXISTS tip_quotes_session ON tip_quotes(session_id);
CREATE TABLE IF NOT EXISTS tip_links (
    tip_id TEXT NOT NULL,
    other_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (tip_id, other_id, kind)
);
CREATE TABLE IF NOT EXISTS tip_history (
    id INTEGER PRIMARY KEY,
    tip_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tip_history_tip ON tip_history(tip_id);
-- a model's wording of a tip and the verifier's verdict (text NULL: dropped), per quote set
CREATE TABLE IF NOT EXISTS tip_wordings (
    tip_id TEXT NOT NULL,
    quote_set_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    text TEXT,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tip_id, quote_set_hash, model)
);
"""

CONTRADICTS = "contradicts"
REVIEW_ACTIONS = ("approve", "retire", "edit", "merge", "merged-into")


def now() -> str:
    """UTC now, to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_blob(vector: Any) -> bytes:
    """A vector as float32 bytes."""
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> Any:
    """float32 bytes as a vector."""
    return np.frombuffer(blob, dtype=np.float32)


@dataclass(frozen=True)
class StoredQuote:
    """A quote row joined with its session's title, series, date and consent."""

    tip_id: str
    session_id: str
    speaker: str | None
    turn: int
    start: float | None
    end: float | None
    quote: str
    quote_hash: str
    section: str | None
    cue: str
    vector: Any
    session_title: str
    series: str | None
    date: str | None
    consent: bool


@dataclass(frozen=True)
class TipRow:
    """A tip's own row: review state and the anchor that identifies it."""

    id: str
    created_at: str
    anchor: Any
    anchor_quote: str
    anchor_session: str | None
    status: str
    edited_text: str | None
    merged_into: str | None


def _tip_row(row: sqlite3.Row) -> TipRow:
    return TipRow(
        id=row["id"], created_at=row["created_at"], anchor=from_blob(row["anchor"]),
        anchor_quote=row["anchor_quote"], anchor_session=row["anchor_session"],
        status=row["status"], edited_text=row["edited_text"],
        merged_into=row["merged_into"],
    )


_QUOTE_SELECT = """
SELECT q.*, s.title AS session_title, s.series, s.date, s.consent
FROM tip_quotes q JOIN sessions s ON s.id = q.session_id
"""


def _quote(row: sqlite3.Row) -> StoredQuote:
    return StoredQuote(
        tip_id=row["tip_id"], session_id=row["session_id"], speaker=row["speaker"],
        turn=row["turn"], start=row["start"], end=row["end"], quote=row["quote"],
        quote_hash=row["quote_hash"], section=row["section"], cue=row["cue"],
        vector=from_blob(row["vector"]), session_title=row["session_title"],
        series=row["series"], date=row["date"], consent=bool(row["consent"]),
    )


class TipStore:
    """Reads and writes the tip tables of one catalog.

    Write methods take the connection of an open `catalog.transaction()`, so one session's
    update is atomic.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(SCHEMA)

    # -- reads -------------------------------------------------------------------------------

    def tips(self) -> dict[str, TipRow]:
        """Every tip row, merged ones included."""
        rows = self.catalog.conn.execute("SELECT * FROM tips").fetchall()
        return {r["id"]: _tip_row(r) for r in rows}

    def tip(self, tip_id: str) -> TipRow | None:
        """One tip row, or None."""
        row = self.catalog.conn.execute("SELECT * FROM tips WHERE id = ?", (tip_id,)).fetchone()
        return _tip_row(row) if row is not None else None

    def quotes(self, tip_ids: Iterable[str] | None = None) -> list[StoredQuote]:
        """Quotes (all, or of some tips) in session date and turn order."""
        order = " ORDER BY coalesce(s.date, ''), q.session_id, q.turn, q.id"
        if tip_ids is None:
            rows = self.catalog.conn.execute(_QUOTE_SELECT + order).fetchall()
        else:
            ids = list(tip_ids)
            marks = ",".join("?" * len(ids))
            rows = self.catalog.conn.execute(
                _QUOTE_SELECT + f" WHERE q.tip_id IN ({marks})" + order, ids
            ).fetchall()
        return [_quote(r) for r in rows]

    def links(self, kind: str = CONTRADICTS) -> dict[str, set[str]]:
        """Tip id -> linked tip ids."""
        out: dict[str, set[str]] = {}
        for r in self.catalog.conn.execute(
            "SELECT tip_id, other_id FROM tip_links WHERE kind = ?", (kind,)
        ):
            out.setdefault(r[0], set()).add(r[1])
        return out

    def history(self, tip_id: str) -> list[sqlite3.Row]:
        """A tip's history, oldest first."""
        return self.catalog.conn.execute(
            "SELECT * FROM tip_history WHERE tip_id = ? ORDER BY id", (tip_id,)
        ).fetchall()

    def speakers(self) -> list[str]:
        """Every speaker label that gave a quote."""
        rows = self.catalog.conn.execute(
            "SELECT DISTINCT speaker FROM tip_quotes WHERE speaker IS NOT NULL"
        )
        return [r[0] for r in rows]

    # -- writes (inside a transaction) -------------------------------------------------------

    @staticmethod
    def session_quote_tips(conn: sqlite3.Connection, session_ids: Sequence[str]) -> dict[str, str]:
        """Quote hash -> tip id for the quotes of some sessions (before they are replaced)."""
        marks = ",".join("?" * len(session_ids))
        rows = conn.execute(
            f"SELECT quote_hash, tip_id FROM tip_quotes WHERE session_id IN ({marks}) ORDER BY id",
            list(session_ids),
        )
        return {r[0]: r[1] for r in rows}

    @staticmethod
    def delete_session_quotes(conn: sqlite3.Connection, session_ids: Sequence[str]) -> None:
        """Remove the quotes of some sessions."""
        marks = ",".join("?" * len(session_ids))
        conn.execute(f"DELETE FROM tip_quotes WHERE session_id IN ({marks})", list(session_ids))

    @staticmethod
    def create_tip(
        conn: sqlite3.Connection, tip_id: str, anchor: Any, quote: str, session_id: str
    ) -> None:
        """A new tip, identified by the quote that created it."""
        conn.execute(
            "INSERT INTO tips (id, created_at, anchor, anchor_quote, anchor_session)"
            " VALUES (?, ?, ?, ?, ?)",
            (tip_id, now(), to_blob(anchor), quote, session_id),
        )

    @staticmethod
    def set_anchor(
        conn: sqlite3.Connection, tip_id: str, anchor: Any, quote: str, session_id: str | None
    ) -> None:
        """Move a tip's anchor (when the session it came from is removed)."""
        conn.execute(
            "UPDATE tips SET anchor = ?, anchor_quote = ?, anchor_session = ? WHERE id = ?",
            (to_blob(anchor), quote, session_id, tip_id),
        )

    @staticmethod
    def insert_quote(conn: sqlite3.Connection, tip_id: str, values: dict[str, Any]) -> None:
        """Attach a quote to a tip."""
        conn.execute(
            'INSERT INTO tip_quotes (tip_id, session_id, speaker, turn, start, "end", quote,'
            " quote_hash, section, cue, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (tip_id, values["session_id"], values["speaker"], values["turn"], values["start"],
             values["end"], values["quote"], values["quote_hash"], values["section"],
             values["cue"], to_blob(values["vector"])),
        )

    @staticmethod
    def move_quotes(conn: sqlite3.Connection, from_tip: str, to_tip: str) -> None:
        """Give every quote of one tip to another (paraphrases found to be one tip)."""
        conn.execute("UPDATE tip_quotes SET tip_id = ? WHERE tip_id = ?", (to_tip, from_tip))

    @staticmethod
    def replace_links(conn: sqlite3.Connection, pairs: Iterable[tuple[str, str]]) -> None:
        """Set the contradiction links (stored both ways)."""
        conn.execute("DELETE FROM tip_links WHERE kind = ?", (CONTRADICTS,))
        rows = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}
        conn.executemany(
            "INSERT INTO tip_links (tip_id, other_id, kind) VALUES (?, ?, ?)",
            [(a, b, CONTRADICTS) for a, b in sorted(rows)],
        )

    @staticmethod
    def drop_orphans(conn: sqlite3.Connection) -> int:
        """Delete tips with no quotes and no review decisions; returns how many went."""
        cur = conn.execute(
            f"""DELETE FROM tips WHERE merged_into IS NULL
                AND id NOT IN (SELECT DISTINCT tip_id FROM tip_quotes)
                AND id NOT IN (SELECT tip_id FROM tip_history
                               WHERE action IN ({",".join("?" * len(REVIEW_ACTIONS))}))
                AND id NOT IN (SELECT merged_into FROM tips WHERE merged_into IS NOT NULL)""",
            REVIEW_ACTIONS,
        )
        return cur.rowcount

    @staticmethod
    def record(
        conn: sqlite3.Connection, tip_id: str, action: str, by: str, detail: str | None = None
    ) -> None:
        """Append to a tip's history."""
        conn.execute(
            "INSERT INTO tip_history (tip_id, action, detail, by, at) VALUES (?, ?, ?, ?, ?)",
            (tip_id, action, detail, by, now()),
        )

    @staticmethod
    def set_review(
        conn: sqlite3.Connection, tip_id: str, *, status: str | None = None,
        edited_text: str | None = None, merged_into: str | None = None,
    ) -> None:
        """Change a tip's review state (only the fields given)."""
        if status is not None:
            conn.execute("UPDATE tips SET status = ? WHERE id = ?", (status, tip_id))
        if edited_text is not None:
            conn.execute("UPDATE tips SET edited_text = ? WHERE id = ?", (edited_text, tip_id))
        if merged_into is not None:
            conn.execute("UPDATE tips SET merged_into = ? WHERE id = ?", (merged_into, tip_id))
            conn.execute(
                "UPDATE tips SET merged_into = ? WHERE merged_into = ?", (merged_into, tip_id)
            )
            conn.execute("UPDATE tip_quotes SET tip_id = ? WHERE tip_id = ?", (merged_into, tip_id))
