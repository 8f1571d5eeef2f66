"""The `feedback` table: what readers said about answers, citations and links."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from companion.core.schemas import Citation, FeedbackKind, Text
from companion.core.traces import Traces
from companion.storage.catalog import Catalog

FEEDBACK_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    question TEXT,
    answer TEXT,
    citation TEXT,
    url TEXT,
    comment TEXT,
    key_id TEXT,
    origin TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback(created_at);
"""
# Version 2: facilitators mark feedback resolved in the console.
RESOLUTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_resolutions (
    feedback_id INTEGER PRIMARY KEY,
    resolved_at TEXT NOT NULL,
    resolved_by TEXT
);
"""


# A citation is one quoted passage with its session and speaker; a few thousand characters.
MAX_CITATION_CHARS = 4_000


class FeedbackIn(BaseModel):
    """What a reader reports; only `kind` is required."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind
    question: Text | None = Field(default=None, max_length=2_000)
    answer: Text | None = Field(default=None, max_length=20_000)
    citation: Citation | Annotated[Text, Field(max_length=MAX_CITATION_CHARS)] | None = Field(
        default=None, description="the citation concerned: as in the answer, or as shown"
    )
    url: Text | None = Field(default=None, max_length=2_000, description="page or broken link")
    comment: Text | None = Field(default=None, max_length=4_000)

    @field_validator("citation")
    @classmethod
    def _citation_size(cls, value: Citation | str | None) -> Citation | str | None:
        """A structured citation is as bounded as a shown one (its quote is free text)."""
        if isinstance(value, Citation) and len(value.model_dump_json()) > 2 * MAX_CITATION_CHARS:
            raise ValueError(
                f"citation: longer than {2 * MAX_CITATION_CHARS} characters as JSON"
            )
        return value


class FeedbackRecord(FeedbackIn):
    """A stored piece of feedback."""

    model_config = ConfigDict(extra="ignore")

    # Rows stored before the limits existed are still listed, not refused.
    citation: Citation | str | None = None

    @field_validator("citation")
    @classmethod
    def _citation_size(cls, value: Citation | str | None) -> Citation | str | None:
        return value

    id: int
    key_id: str | None = None
    origin: str | None = None
    created_at: str
    resolved_at: str | None = None


class FeedbackStore:
    """Feedback rows in the catalog.

    Args:
        catalog: the catalog the table lives in (created if missing).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(FEEDBACK_SCHEMA)
        catalog.ensure_schema(RESOLUTIONS_SCHEMA)

    def add(
        self, item: FeedbackIn, key_id: str | None = None, origin: str | None = None
    ) -> FeedbackRecord:
        """Store one piece of feedback."""
        citation: str | None = None
        if isinstance(item.citation, Citation):
            citation = item.citation.model_dump_json()
        elif item.citation is not None:
            citation = json.dumps(item.citation)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self.catalog.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (kind, question, answer, citation, url, comment, key_id,"
                " origin, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (item.kind, item.question, item.answer, citation, item.url, item.comment,
                 key_id, origin, created),
            )
            row_id = int(cur.lastrowid or 0)
        return FeedbackRecord(
            **item.model_dump(), id=row_id, key_id=key_id, origin=origin, created_at=created
        )

    def list(
        self, kind: str | None = None, limit: int = 100, open_only: bool = False
    ) -> list[FeedbackRecord]:
        """Feedback, newest first (`open_only`: not yet resolved)."""
        sql = ("SELECT f.*, r.resolved_at FROM feedback f"
               " LEFT JOIN feedback_resolutions r ON r.feedback_id = f.id WHERE 1=1")
        params: list[Any] = []
        if kind:
            sql += " AND f.kind = ?"
            params.append(kind)
        if open_only:
            sql += " AND r.resolved_at IS NULL"
        sql += " ORDER BY f.id DESC LIMIT ?"
        rows = self.catalog.conn.execute(sql, (*params, limit)).fetchall()
        return [self._record(dict(r)) for r in rows]

    def resolve(self, feedback_id: int, by: str | None = None) -> bool:
        """Mark feedback resolved (again: keeps the first time); False when there is none."""
        with self.catalog.transaction() as conn:
            found = conn.execute("SELECT 1 FROM feedback WHERE id = ?", (feedback_id,))
            if found.fetchone() is None:
                return False
            conn.execute(
                "INSERT OR IGNORE INTO feedback_resolutions (feedback_id, resolved_at, resolved_by)"
                " VALUES (?,?,?)",
                (feedback_id, datetime.now(UTC).isoformat(timespec="seconds"), by),
            )
        return True

    def counts(self) -> dict[str, int]:
        """How much feedback of each kind there is."""
        rows = self.catalog.conn.execute("SELECT kind, count(*) FROM feedback GROUP BY kind")
        return {r[0]: int(r[1]) for r in rows}

    @staticmethod
    def _record(row: dict[str, Any]) -> FeedbackRecord:
        raw = row.pop("citation")
        citation: Citation | str | None = None
        if raw is not None:
            value = json.loads(raw)
            citation = Citation.model_validate(value) if isinstance(value, dict) else value
        return FeedbackRecord(**row, citation=citation)

    def redact(self, traces: Traces, notice: str) -> int:
        """Replace answers, citations, questions and comments that quote or name a person.

        The citation column holds JSON, so the notice is stored JSON-encoded (a plain string
        there made every later listing fail).
        """
        rows = self.catalog.conn.execute(
            "SELECT id, question, answer, citation, comment FROM feedback"
        ).fetchall()
        hits = [
            r[0] for r in rows
            if any(traces.quoted_in(v) or traces.named_in(v) for v in (r[1], r[2], r[3], r[4]))
        ]
        with self.catalog.transaction() as conn:
            conn.executemany(
                "UPDATE feedback SET answer = ?, citation = CASE WHEN citation IS NULL THEN NULL "
                "ELSE ? END, question = CASE WHEN question IS NULL THEN NULL ELSE ? END, "
                "comment = CASE WHEN comment IS NULL THEN NULL "
                "ELSE ? END WHERE id = ?",
                [(notice, json.dumps(notice), notice, notice, i) for i in hits],
            )
        return len(hits)

