"""The cache of model wordings of tips, keyed by tip, quote set and model.

A wording belongs to the quotes it was written from: `quote_set_hash` names that set, so a tip
whose cluster changes (a quote joins, leaves, or loses consent) shows its verbatim quote until it
is worded again, and an unchanged tip is never sent to the model twice. Dropped verdicts are
cached too (with `text` NULL), so a model that could not word a tip is not asked again either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from companion.core.settings import LLMSettings
from companion.features.tips.store import StoredQuote, TipStore, now
from companion.storage.catalog import Catalog


def quote_set_hash(quotes: Iterable[StoredQuote]) -> str:
    """A hash of which quotes a tip has (by content), independent of their order."""
    hashes = sorted({q.quote_hash for q in quotes})
    return hashlib.sha1("\n".join(hashes).encode()).hexdigest()[:16]


def model_key(settings: LLMSettings) -> str:
    """The name a model's wordings are cached under, e.g. `ollama:llama3.2`."""
    return f"{settings.provider}:{settings.model or settings.model_path or 'default'}"


@dataclass(frozen=True)
class CachedWording:
    """One verdict: the kept wording (or None when dropped) and why."""

    tip_id: str
    quote_set_hash: str
    model: str
    text: str | None
    reason: str
    created_at: str


class WordingCache:
    """Reads and writes the `tip_wordings` table of one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        TipStore(catalog)  # creates the table

    def get(self, tip_id: str, quote_hash: str, model: str) -> CachedWording | None:
        """The verdict for this tip, quote set and model, if there is one."""
        row = self.catalog.conn.execute(
            "SELECT * FROM tip_wordings WHERE tip_id = ? AND quote_set_hash = ? AND model = ?",
            (tip_id, quote_hash, model),
        ).fetchone()
        return CachedWording(**dict(row)) if row is not None else None

    def accepted(self) -> dict[str, list[CachedWording]]:
        """Tip id -> its kept wordings, newest first (any quote set, any model)."""
        rows = self.catalog.conn.execute(
            "SELECT * FROM tip_wordings WHERE text IS NOT NULL ORDER BY created_at DESC, model"
        ).fetchall()
        out: dict[str, list[CachedWording]] = {}
        for r in rows:
            out.setdefault(r["tip_id"], []).append(CachedWording(**dict(r)))
        return out

    def put(
        self, tip_id: str, quote_hash: str, model: str, text: str | None, reason: str
    ) -> CachedWording:
        """Record a verdict (replacing an earlier one for the same key)."""
        wording = CachedWording(tip_id, quote_hash, model, text, reason, now())
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tip_wordings"
                " (tip_id, quote_set_hash, model, text, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (tip_id, quote_hash, model, text, reason, wording.created_at),
            )
        return wording

    def prune(self, current: Mapping[str, str]) -> int:
        """Delete wordings of quote sets a tip no longer has (and of tips gone); returns how many.

        Args:
            current: tip id -> the hash of its current quote set, for every tip that has one.
        """
        rows = self.catalog.conn.execute("SELECT tip_id, quote_set_hash FROM tip_wordings")
        stale = [(r[0], r[1]) for r in rows if current.get(r[0]) != r[1]]
        if stale:
            with self.catalog.transaction() as conn:
                conn.executemany(
                    "DELETE FROM tip_wordings WHERE tip_id = ? AND quote_set_hash = ?", stale
                )
        return len(stale)


def current_quote_hashes(quotes: Sequence[StoredQuote]) -> dict[str, str]:
    """Tip id -> hash of its shown (consented) quotes, as the views compute it."""
    by_tip: dict[str, list[StoredQuote]] = {}
    for q in quotes:
        if q.consent:
            by_tip.setdefault(q.tip_id, []).append(q)
    return {tip_id: quote_set_hash(qs) for tip_id, qs in by_tip.items()}
