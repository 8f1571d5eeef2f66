"""Load spreading: who was suggested when, so the same few people do not get every request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS peer_recommendations (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL,
    recommended_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS peer_recommendations_person
    ON peer_recommendations(person_id, recommended_at);
"""

class RecommendationLog:
    """Recommendations recorded in the catalog, counted over a recent window.

    Args:
        catalog: where the log table lives.
        window_days: how far back a recommendation still counts.
    """

    def __init__(self, catalog: Catalog, window_days: float) -> None:
        self.catalog = catalog
        self.window = timedelta(days=window_days)
        catalog.ensure_schema(SCHEMA)

    def record(self, person_ids: Iterable[str], now: datetime | None = None) -> None:
        """Record that these people were just suggested; forget what left the window."""
        now = now or datetime.now(UTC)
        stamp = now.isoformat(timespec="seconds")
        with self.catalog.transaction() as conn:
            conn.executemany(
                "INSERT INTO peer_recommendations (person_id, recommended_at) VALUES (?, ?)",
                [(pid, stamp) for pid in person_ids],
            )
            cutoff = (now - self.window).isoformat(timespec="seconds")
            conn.execute("DELETE FROM peer_recommendations WHERE recommended_at < ?", (cutoff,))

    def recent_counts(
        self, person_ids: Iterable[str], now: datetime | None = None
    ) -> dict[str, int]:
        """How often each person was suggested within the window."""
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return {}
        cutoff = ((now or datetime.now(UTC)) - self.window).isoformat(timespec="seconds")
        marks = ",".join("?" * len(ids))
        rows = self.catalog.conn.execute(
            f"SELECT person_id, count(*) FROM peer_recommendations"
            f" WHERE recommended_at >= ? AND person_id IN ({marks}) GROUP BY person_id",
            (cutoff, *ids),
        ).fetchall()
        counts = {pid: 0 for pid in ids}
        counts.update({r[0]: int(r[1]) for r in rows})
        return counts
