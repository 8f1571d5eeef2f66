"""Where in a session a topic is discussed: BM25 over its turns blended with its chunk vectors.

Expert finding first localises the topic, then asks who spoke there. Two signals per turn:

- lexical: BM25 of the topic's content terms against the turn (statistics within the session);
- dense: cosine of the topic vector with the stored vector of the chunk(s) holding the turn
  (the vectors ingest already put in Chroma: nothing is embedded again at query time).

Each is rescaled within the session to 0..1 (its median to 0, its maximum to 1), so a session's
own spread decides what "about the topic" means, then blended with `lexical_share`. numpy only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

BM25_K1 = 1.2
BM25_B = 0.75


def bm25_turns(q_terms: Sequence[str], turn_terms: Sequence[Counter[str]]) -> np.ndarray:
    """BM25 of the query terms against each turn, document statistics within these turns."""
    n = len(turn_terms)
    query = set(q_terms)
    if not n or not query:
        return np.zeros(n)
    lengths = np.array([sum(c.values()) for c in turn_terms], dtype=float)
    avg = float(lengths.mean()) or 1.0
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / avg)
    out = np.zeros(n)
    for term in query:
        tf = np.array([c.get(term, 0) for c in turn_terms], dtype=float)
        df = int((tf > 0).sum())
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        out += idf * tf * (BM25_K1 + 1) / np.maximum(tf + norm, 1e-9)
    return out


def turn_similarity(
    n_turns: int, ranges: Sequence[tuple[int, int]], matrix: Any, query: Any
) -> np.ndarray | None:
    """Per turn, the best cosine of the query with a chunk holding the turn (None: no chunks).

    Turns no chunk holds (empty ones) take the session's lowest chunk cosine.
    """
    if not len(ranges) or query is None:
        return None
    rows = np.asarray(matrix, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32)
    sims = rows @ q / (np.linalg.norm(rows, axis=1) * (float(np.linalg.norm(q)) or 1.0) + 1e-9)
    out = np.full(n_turns, -np.inf)
    for (start, end), sim in zip(ranges, sims, strict=True):
        a, b = max(0, start), min(n_turns - 1, end)
        if a <= b:
            out[a : b + 1] = np.maximum(out[a : b + 1], sim)
    floor = float(sims.min())
    out[np.isinf(out)] = floor
    return out


def rescale(values: np.ndarray) -> np.ndarray:
    """0 at the session's median, 1 at its maximum, clipped to 0..1 (all zero when flat)."""
    if not len(values):
        return values.astype(float)
    mid, top = float(np.median(values)), float(values.max())
    if top - mid <= 1e-12:
        return np.zeros(len(values))
    return np.clip((values - mid) / (top - mid), 0.0, 1.0)


@dataclass(frozen=True)
class Localisation:
    """A session's turns scored against a topic."""

    lexical: np.ndarray
    """Raw BM25 per turn."""
    dense: np.ndarray | None
    """Best chunk cosine per turn, or None when the session has no stored vectors."""

    def relevance(self, lexical_share: float) -> np.ndarray:
        """The blend, per turn: `lexical_share` of rescaled BM25, the rest rescaled dense."""
        lex = rescale(self.lexical)
        if self.dense is None:
            return lex
        return lexical_share * lex + (1 - lexical_share) * rescale(self.dense)


def localise(
    q_terms: Sequence[str],
    turn_terms: Sequence[Counter[str]],
    ranges: Sequence[tuple[int, int]] = (),
    matrix: Any = None,
    query_vector: Any = None,
) -> Localisation:
    """Both signals for one session; `ranges`/`matrix` are its chunks' turn spans and vectors."""
    dense = turn_similarity(len(turn_terms), ranges, matrix, query_vector) \
        if matrix is not None else None
    return Localisation(bm25_turns(q_terms, turn_terms), dense)
