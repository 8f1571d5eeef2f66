"""Embeddings of whole turns, cached in the catalog so each turn is embedded once per model."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from companion.storage.catalog import Catalog
from companion.storage.embeddings import SentenceTransformerEmbeddings

SCHEMA = """
CREATE TABLE IF NOT EXISTS peer_turn_vectors (
    session_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (session_id, idx)
);
"""

class TurnVectors:
    """Turn embeddings: read from the cache, computed and stored when missing or stale.

    Args:
        catalog: where the cache table lives.
        embeddings: the model; its path is part of the key, so a new model re-embeds.
    """

    def __init__(self, catalog: Catalog, embeddings: SentenceTransformerEmbeddings) -> None:
        self.catalog = catalog
        self.embeddings = embeddings
        catalog.ensure_schema(SCHEMA)

    def _hash(self, text: str) -> str:
        key = f"{self.embeddings.model_path}\x1f{text}".encode()
        return hashlib.sha1(key).hexdigest()[:20]

    def fetch(self, turns: Sequence[tuple[str, int, str]]) -> Any:
        """A normalised vector per (session id, turn index, text), as a matrix in input order."""
        if not turns:
            return np.zeros((0, 0), dtype=np.float32)
        hashes = [self._hash(text) for _, _, text in turns]
        cached = self._read({(s, i) for s, i, _ in turns})
        rows: list[Any] = [None] * len(turns)
        missing: list[int] = []
        for n, ((session_id, idx, _text), digest) in enumerate(zip(turns, hashes, strict=True)):
            hit = cached.get((session_id, idx))
            if hit is not None and hit[0] == digest:
                rows[n] = hit[1]
            else:
                missing.append(n)
        if missing:
            vectors = self.embeddings.embed_many([turns[n][2] for n in missing])
            for n, vector in zip(missing, vectors, strict=True):
                rows[n] = np.asarray(vector, dtype=np.float32)
            self._write([(turns[n][0], turns[n][1], hashes[n], rows[n]) for n in missing])
        return np.vstack(rows)

    def _read(self, keys: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, Any]]:
        out: dict[tuple[str, int], tuple[str, Any]] = {}
        by_session: dict[str, list[int]] = {}
        for session_id, idx in keys:
            by_session.setdefault(session_id, []).append(idx)
        for session_id, idxs in by_session.items():
            marks = ",".join("?" * len(idxs))
            rows = self.catalog.conn.execute(
                f"SELECT idx, text_hash, vector FROM peer_turn_vectors"
                f" WHERE session_id = ? AND idx IN ({marks})",
                (session_id, *idxs),
            ).fetchall()
            for r in rows:
                out[(session_id, r[0])] = (r[1], np.frombuffer(r[2], dtype=np.float32))
        return out

    def _write(self, rows: list[tuple[str, int, str, Any]]) -> None:
        with self.catalog.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO peer_turn_vectors (session_id, idx, text_hash, vector)"
                " VALUES (?,?,?,?)",
                [(s, i, h, np.asarray(v, dtype=np.float32).tobytes()) for s, i, h, v in rows],
            )
