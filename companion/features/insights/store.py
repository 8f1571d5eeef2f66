"""The `learner_questions` and `usage_counts` tables: questions asked, and counters.

No personal data: a question's text, when, which API key (an installation, not a person),
whether it was answered and with what confidence, and the kind of feedback it got.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from companion.storage.catalog import Catalog

INSIGHTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS learner_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    key_id TEXT,
    answered INTEGER NOT NULL,
    confidence REAL,
    feedback_id INTEGER,
    feedback_kind TEXT
);
CREATE INDEX IF NOT EXISTS learner_questions_asked ON learner_questions(asked_at);
CREATE INDEX IF NOT EXISTS learner_questions_norm ON learner_questions(normalised);
CREATE TABLE IF NOT EXISTS usage_counts (
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, day)
);
"""
TABLES = ("learner_questions", "usage_counts")


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalise_question(text: str) -> str:
    """The form two askings of the same question share (case, spaces, end punctuation)."""
    return " ".join(text.split()).casefold().rstrip(" ?!.")


class InsightsStore:
    """Rows of the insights tables.

    Args:
        catalog: the catalog the tables live in.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(INSIGHTS_SCHEMA)

    def add(self, question: str, key_id: str | None, answered: bool,
            confidence: float | None) -> int:
        """Log one question; returns its id."""
        with self.catalog.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO learner_questions (question, normalised, asked_at, key_id, answered,"
                " confidence) VALUES (?,?,?,?,?,?)",
                (question, normalise_question(question), now_iso(), key_id, int(answered),
                 confidence),
            )
            return int(cur.lastrowid or 0)

    def link_feedback(self, question: str, feedback_id: int, kind: str) -> bool:
        """Attach feedback to the latest asking of this question that has none."""
        with self.catalog.transaction() as conn:
            row = conn.execute(
                "SELECT id FROM learner_questions WHERE normalised = ? AND feedback_id IS NULL"
                " ORDER BY id DESC LIMIT 1", (normalise_question(question),),
            ).fetchone()
            if row is None:
                return False
            conn.execute("UPDATE learner_questions SET feedback_id = ?, feedback_kind = ?"
                         " WHERE id = ?", (feedback_id, kind, row[0]))
        return True

    def bump(self, kind: str, n: int = 1) -> None:
        """Add `n` to today's counter of `kind`."""
        if n <= 0:
            return
        day = now_iso()[:10]
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT INTO usage_counts (kind, day, count) VALUES (?,?,?) ON CONFLICT(kind, day)"
                " DO UPDATE SET count = count + excluded.count", (kind, day, n),
            )

    def rows(self, since: str | None = None) -> list[sqlite3.Row]:
        """Logged questions (optionally since an ISO time), oldest first."""
        sql = "SELECT * FROM learner_questions"
        params: tuple[str, ...] = ()
        if since:
            sql += " WHERE asked_at >= ?"
            params = (since,)
        return self.catalog.conn.execute(sql + " ORDER BY id", params).fetchall()

    def usage(self) -> dict[str, int]:
        """Each counter's total."""
        rows = self.catalog.conn.execute("SELECT kind, sum(count) FROM usage_counts GROUP BY kind")
        return {r[0]: int(r[1]) for r in rows}

    def purge_before(self, days: int) -> int:
        """Delete questions asked more than `days` days ago; returns how many."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        with self.catalog.transaction() as conn:
            cur = conn.execute("DELETE FROM learner_questions WHERE asked_at < ?", (cutoff,))
            conn.execute("DELETE FROM usage_counts WHERE day < ?", (cutoff[:10],))
            return cur.rowcount

    def delete(self, ids: Iterable[int]) -> int:
        """Delete questions by id."""
        ids = list(ids)
        with self.catalog.transaction() as conn:
            conn.executemany("DELETE FROM learner_questions WHERE id = ?", [(i,) for i in ids])
        return len(ids)
