"""The `feedback` table: what readers said about answers, citations and links."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from companion.providers.catalog import Catalog
from companion.schemas import Citation, FeedbackKind, Text

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


class FeedbackIn(BaseModel):
    """What a reader reports; only `kind` is required."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind
    question: Text | None = Field(default=None, max_length=2_000)
    answer: Text | None = Field(default=None, max_length=20_000)
    citation: Citation | Text | None = Field(
        default=None, description="the citation concerned: as in the answer, or as shown"
    )
    url: Text | None = Field(default=None, max_length=2_000, description="page or broken link")
    comment: Text | None = Field(default=None, max_length=4_000)


class FeedbackRecord(FeedbackIn):
    """A stored piece of feedback."""

    model_config = ConfigDict(extra="ignore")

    id: int
    key_id: str | None = None
    origin: str | None = None
    created_at: str


class FeedbackStore:
    """Feedback rows in the catalog.

    Args:
        catalog: the catalog the table lives in (created if missing).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(FEEDBACK_SCHEMA)

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

    def list(self, kind: str | None = None, limit: int = 100) -> list[FeedbackRecord]:
        """Feedback, newest first."""
        sql = "SELECT * FROM feedback"
        params: list[Any] = []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY id DESC LIMIT ?"
        rows = self.catalog.conn.execute(sql, (*params, limit)).fetchall()
        return [self._record(dict(r)) for r in rows]

    @staticmethod
    def _record(row: dict[str, Any]) -> FeedbackRecord:
        raw = row.pop("citation")
        citation: Citation | str | None = None
        if raw is not None:
            value = json.loads(raw)
            citation = Citation.model_validate(value) if isinstance(value, dict) else value
        return FeedbackRecord(**row, citation=citation)
