"""Fakes for what a unit test does not measure: embeddings without loading MiniLM."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from companion.storage.embeddings import SentenceTransformerEmbeddings

DIMENSION = 384
_WORD = re.compile(r"[a-z0-9']+")


class HashingEmbeddings(SentenceTransformerEmbeddings):
    """Deterministic bag-of-words vectors (hashed words, normalised): shared words → similar.

    For tests of logic (ingest bookkeeping, privacy, keys, limits) where retrieval quality is
    not under test; it records every text it was asked to embed.
    """

    def __init__(self) -> None:
        super().__init__("fake-hashing-embeddings")
        self.asked: list[str] = []

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        return DIMENSION

    def _encode(self, texts: list[str], progress: bool, batch_size: int | None = None) -> Any:
        self.asked.extend(texts)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[i, h % DIMENSION] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[i]))
            out[i] = out[i] / norm if norm else out[i]
            if not norm:
                out[i, 0] = 1.0
        return out
