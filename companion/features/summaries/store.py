"""Cached summaries in the catalog, keyed by session id and the session's content hash."""

from __future__ import annotations

from companion.features.summaries.models import Summary
from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS session_summaries (
    session_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    recipe TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""

# Catalogs whose summaries table exists already (creating it takes a write lock).

class SummaryStore:
    """One cached summary per session (its tables are created on first use).

    Args:
        catalog: the catalog that holds the sessions.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(SCHEMA)

    def get(self, session_id: str) -> Summary | None:
        """The cached summary of a session, whatever content it was made from."""
        row = self.catalog.conn.execute(
            "SELECT body FROM session_summaries WHERE session_id = ?", (session_id,)
        ).fetchone()
        return Summary.model_validate_json(row["body"]) if row else None

    def fresh(self, session_id: str, content_hash: str, recipe: str) -> Summary | None:
        """The cached summary when it was made from this content by this recipe.

        Args:
            session_id: the session.
            content_hash: the session's current content hash.
            recipe: summariser, its version and its settings (see `SummaryService.recipe`).
        """
        row = self.catalog.conn.execute(
            "SELECT body FROM session_summaries WHERE session_id = ? AND content_hash = ? "
            "AND recipe = ?",
            (session_id, content_hash, recipe),
        ).fetchone()
        return Summary.model_validate_json(row["body"]) if row else None

    def put(self, summary: Summary, recipe: str) -> None:
        """Store (or replace) a session's summary, made by `recipe`."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO session_summaries "
                "(session_id, content_hash, recipe, generated_at, body) VALUES (?,?,?,?,?)",
                (summary.session_id, summary.content_hash, recipe,
                 summary.generated_at, summary.model_dump_json()),
            )

    def delete(self, session_id: str) -> None:
        """Forget a session's summary."""
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM session_summaries WHERE session_id = ?", (session_id,))

    def session_ids(self) -> list[str]:
        """Sessions that have a cached summary."""
        return [r[0] for r in self.catalog.conn.execute(
            "SELECT session_id FROM session_summaries ORDER BY session_id")]
