"""Forgotten people: who may never speak again in the stores, and how their turns are redacted.

Only (unsalted) SHA-256 digests of the normalised speaker labels are kept, never the names, so
the tombstone itself does not say who asked to be forgotten; ingest compares each speaker label's
digest with it and redacts matching turns before anything is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from companion.core.names import normalise_name
from companion.core.schemas import Session, Turn
from companion.storage.catalog import Catalog

REDACTED_TEXT = "[removed at the speaker's request]"
REDACTED_SPEAKER = "[removed]"

SCHEMA = """
CREATE TABLE IF NOT EXISTS forgotten_people (
    person_hash TEXT PRIMARY KEY,
    forgotten_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forgotten_aliases (
    alias_hash TEXT PRIMARY KEY,
    person_hash TEXT NOT NULL
);
"""

def digest(value: str) -> str:
    """The stored form of a person id or a normalised label."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def label_digest(label: str | None) -> str | None:
    """The digest of a speaker label as the directory compares it; None for no name."""
    key = normalise_name(label) if label else ""
    return digest(key) if key else None


class ForgottenSpeakers:
    """The tombstones in one catalog.

    Args:
        catalog: the catalog holding the tables (created on first use).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(SCHEMA)
        self._digests: frozenset[str] | None = None

    def add(self, person_id: str, labels: Iterable[str]) -> None:
        """Tombstone a person under every label they speak as."""
        person = digest(person_id)
        rows = {(d, person) for d in (label_digest(label) for label in labels) if d}
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO forgotten_people (person_hash, forgotten_at) VALUES (?, ?)",
                (person, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO forgotten_aliases (alias_hash, person_hash) VALUES (?, ?)",
                sorted(rows),
            )
        self._digests = None

    @property
    def digests(self) -> frozenset[str]:
        """Digests of every forgotten label (read once per instance)."""
        if self._digests is None:
            rows = self.catalog.conn.execute("SELECT alias_hash FROM forgotten_aliases")
            self._digests = frozenset(r[0] for r in rows)
        return self._digests

    def matches(self, label: str | None) -> bool:
        """True when the label names a forgotten person."""
        d = label_digest(label)
        return d is not None and d in self.digests

    def redact(self, session: Session) -> Session:
        """The session with forgotten speakers' turns redacted; the same object when none are.

        Turns keep their index and timing, so chunk ranges, citations and links stay
        consistent; only the words and the speaker label go.
        """
        if not self.digests:
            return session
        turns = [_redacted(t) if self.matches(t.speaker) else t for t in session.turns]
        facilitator = None if self.matches(session.facilitator) else session.facilitator
        if turns == session.turns and facilitator == session.facilitator:
            return session
        return session.model_copy(update={"turns": turns, "facilitator": facilitator})

    def sessions_to_redact(self) -> list[str]:
        """Sessions in which a forgotten person still speaks or facilitates."""
        if not self.digests:
            return []
        found: set[str] = set()
        rows = self.catalog.conn.execute(
            "SELECT DISTINCT session_id, speaker FROM turns WHERE speaker IS NOT NULL"
        )
        found.update(r[0] for r in rows if self.matches(r[1]))
        rows = self.catalog.conn.execute(
            "SELECT id, facilitator FROM sessions WHERE facilitator IS NOT NULL"
        )
        found.update(r[0] for r in rows if self.matches(r[1]))
        return sorted(found)


def _redacted(turn: Turn) -> Turn:
    return turn.model_copy(update={"speaker": REDACTED_SPEAKER, "text": REDACTED_TEXT})


def is_redacted(turn: Turn) -> bool:
    """True for a turn whose words were removed."""
    return turn.speaker == REDACTED_SPEAKER and turn.text == REDACTED_TEXT


def chunkable(session: Session) -> Session:
    """The session as the chunker should see it: redacted turns carry no text to index.

    The catalog keeps the placeholder (people reading the session see that something was
    removed), but chunks of nothing but placeholders would only be noise in retrieval.
    """
    if not any(is_redacted(t) for t in session.turns):
        return session
    turns = [t.model_copy(update={"text": ""}) if is_redacted(t) else t for t in session.turns]
    return session.model_copy(update={"turns": turns})
