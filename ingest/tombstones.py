"""Forgotten people: who may never speak again in the stores, and how their turns are redacted.

Only keyed digests (HMAC-SHA256 under the per-install secret, `companion.storage.secret`) of
the normalised speaker labels and of the forms others say the name in are kept, never the
names, so the tombstone itself does not say who asked to be forgotten, and hashing a list of
names does not find out either. Ingest compares each speaker label (and its variants: "Gareth L",
"Gareth Llewellyn (Analysis)") with the tombstones and redacts matching turns, and replaces
mentions of the name in everyone else's words, titles and ids, before anything is stored.

Tombstones written before the digests were keyed hold plain SHA-256 digests; they cannot be
re-keyed without the names, so they are still matched (for speaker labels as written) and every
new tombstone is keyed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import PurePath

from companion.core.names import label_keys, mention_forms, normalise_name, variant_keys, words
from companion.core.schemas import Session, Turn
from companion.storage.catalog import Catalog
from companion.storage.secret import keyed_digest

REDACTED_TEXT = "[removed at the speaker's request]"
REDACTED_SPEAKER = "[removed]"
REDACTED_NAME = "[name removed]"
REDACTED_TITLE = "Session (title removed at a participant's request)"
KEYED = "k1:"
MAX_MENTION_WORDS = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS forgotten_people (
    person_hash TEXT PRIMARY KEY,
    forgotten_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forgotten_aliases (
    alias_hash TEXT PRIMARY KEY,
    person_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forgotten_mentions (
    mention_hash TEXT PRIMARY KEY,
    person_hash TEXT NOT NULL
);
"""


def legacy_digest(value: str) -> str:
    """The unkeyed SHA-256 digest tombstones held before they were keyed (matching only)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def keyed(secret: bytes, value: str) -> str:
    """The stored form of a person id or a normalised label: keyed, and marked as keyed."""
    return KEYED + keyed_digest(secret, value)


class ForgottenSpeakers:
    """The tombstones in one catalog.

    Args:
        catalog: the catalog holding the tables (created on first use).
        secret: the per-install secret that keys the digests.
    """

    def __init__(self, catalog: Catalog, secret: bytes) -> None:
        self.catalog = catalog
        self.secret = secret
        catalog.ensure_schema(SCHEMA)
        self._aliases: frozenset[str] | None = None
        self._mentions: frozenset[str] | None = None
        self._legacy = False
        self._memo: dict[str, str] = {}

    def digest(self, value: str) -> str:
        """The keyed digest of a value (memoised: ingest asks about the same words often)."""
        found = self._memo.get(value)
        if found is None:
            found = self._memo[value] = keyed(self.secret, value)
        return found

    def add(self, person_id: str, labels: Iterable[str]) -> None:
        """Tombstone a person under every label they speak as and every form of their name."""
        labels = list(labels)
        person = self.digest(person_id)
        aliases = {(self.digest(k), person) for label in labels for k in variant_keys(label)}
        mentions = {(self.digest(k), person) for label in labels for k in mention_forms(label)}
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO forgotten_people (person_hash, forgotten_at) VALUES (?, ?)",
                (person, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO forgotten_aliases (alias_hash, person_hash) VALUES (?, ?)",
                sorted(aliases),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO forgotten_mentions (mention_hash, person_hash)"
                " VALUES (?, ?)",
                sorted(mentions),
            )
        self._aliases = self._mentions = None

    def _load(self) -> None:
        if self._aliases is None or self._mentions is None:
            conn = self.catalog.conn
            self._aliases = frozenset(r[0] for r in conn.execute(
                "SELECT alias_hash FROM forgotten_aliases"))
            self._mentions = frozenset(r[0] for r in conn.execute(
                "SELECT mention_hash FROM forgotten_mentions"))
            self._legacy = any(not d.startswith(KEYED) for d in self._aliases)

    @property
    def digests(self) -> frozenset[str]:
        """Digests of every forgotten speaker label (read once per instance)."""
        self._load()
        assert self._aliases is not None
        return self._aliases

    @property
    def mentions(self) -> frozenset[str]:
        """Digests of every form of a forgotten name said by others."""
        self._load()
        assert self._mentions is not None
        return self._mentions

    def matches(self, label: str | None) -> bool:
        """True when the label names a forgotten person (also decorated or shortened)."""
        if not label or not self.digests:
            return False
        if any(self.digest(k) in self.digests for k in label_keys(label)):
            return True
        legacy = normalise_name(label)
        return self._legacy and bool(legacy) and legacy_digest(legacy) in self.digests

    def redact_mentions(self, text: str) -> str:
        """The text with every mention of a forgotten name replaced by a notice."""
        if not text or not self.mentions:
            return text
        found = words(text)
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(found):
            for n in range(min(MAX_MENTION_WORDS, len(found) - i), 0, -1):
                group = found[i : i + n]
                gaps = (text[a[1] : b[0]] for a, b in zip(group, group[1:], strict=False))
                if n > 1 and any(gap.strip() for gap in gaps):
                    continue
                if self.digest(" ".join(w[2] for w in group)) in self.mentions:
                    spans.append((group[0][0], group[-1][1]))
                    i += n
                    break
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + REDACTED_NAME + text[end:]
        return text

    def mentioned_in(self, text: str | None) -> bool:
        """True when the text says a forgotten name."""
        return bool(text) and self.redact_mentions(text or "") != text

    def redacted_id(self, session_id: str) -> str:
        """A stable id for a session whose id says a forgotten name (else the id itself)."""
        if not self.mentioned_in(_spaced(session_id)):
            return session_id
        return "session-" + keyed_digest(self.secret, "session:" + session_id)[:12]

    def redact(self, session: Session) -> Session:
        """The session with forgotten speakers' turns and names redacted (same object if none).

        Turns keep their index and timing, so chunk ranges, citations and links stay
        consistent; only the words and the speaker label go. A title that says the name gets
        a neutral title, an id that says it a stable new id.
        """
        if not self.digests and not self.mentions:
            return session
        turns = [self._redact_turn(t) for t in session.turns]
        facilitator = None if self.matches(session.facilitator) else session.facilitator
        title = session.title
        if self.mentioned_in(title):
            title = REDACTED_TITLE
        new_id = self.redacted_id(session.id)
        source = session.source
        if source and self.mentioned_in(_spaced(PurePath(source).name)):
            source = str(PurePath(source).with_name(new_id + PurePath(source).suffix))
        update = {"turns": turns, "facilitator": facilitator, "title": title,
                  "id": new_id, "source": source}
        if all(getattr(session, k) == v for k, v in update.items()):
            return session
        return session.model_copy(update=update)

    def _redact_turn(self, turn: Turn) -> Turn:
        if self.matches(turn.speaker):
            return _redacted(turn)
        text = self.redact_mentions(turn.text)
        return turn if text == turn.text else turn.model_copy(update={"text": text})

    def sessions_to_redact(self) -> list[str]:
        """Sessions in which a forgotten person still speaks, facilitates or is named."""
        if not self.digests and not self.mentions:
            return []
        found: set[str] = set()
        conn = self.catalog.conn
        for r in conn.execute("SELECT session_id, speaker, text FROM turns"):
            if self.matches(r[1]) or self.mentioned_in(r[2]):
                found.add(r[0])
        for r in conn.execute("SELECT id, facilitator, title FROM sessions"):
            if self.matches(r[1]) or self.mentioned_in(r[2]) or self.redacted_id(r[0]) != r[0]:
                found.add(r[0])
        return sorted(found)


def _spaced(name: str) -> str:
    """A slug or file name as words ("mentoring-gareth_tom.txt" -> "mentoring gareth tom txt")."""
    return name.replace("-", " ").replace("_", " ").replace(".", " ")


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
