"""Where in a session a topic is discussed: BM25 over its turns blended with its chunk vectors.

Expert finding first localises the topic, then asks who spoke there. Signals per turn:

- lexical: BM25 of the topic's content terms against the turn (statistics within the session);
- dense: cosine of the topic vector with the stored vector of the chunk(s) holding the turn
  (the vectors ingest already put in Chroma: nothing is embedded again at query time);
- fusion (optional): the learned fusion's probability that a retrieved chunk holding the turn
  holds the evidence (`retrieval/fusion.py`; 0 for turns no retrieved chunk holds).

Each is rescaled within the session to 0..1 (its median to 0, its maximum to 1), so a session's
own spread decides what "about the topic" means, then blended: `lexical_share` of BM25 against
the cosine, and that blend against the fusion probability with `fusion_share`. numpy only.
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


def turn_probability(n_turns: int, chunks: Sequence[tuple[int, int, float]]) -> np.ndarray:
    """Per turn, the best fusion probability of a retrieved chunk (start, end, p) holding it."""
    out = np.zeros(n_turns)
    for start, end, prob in chunks:
        a, b = max(0, start), min(n_turns - 1, end)
        if a <= b:
            out[a : b + 1] = np.maximum(out[a : b + 1], prob)
    return out


@dataclass(frozen=True)
class Localisation:
    """A session's turns scored against a topic."""

    lexical: np.ndarray
    """Raw BM25 per turn."""
    dense: np.ndarray | None
    """Best chunk cosine per turn, or None when the session has no stored vectors."""
    fusion: np.ndarray | None = None
    """Best fusion probability of a retrieved chunk per turn, or None when none has one."""

    def relevance(self, lexical_share: float, fusion_share: float = 0.0) -> np.ndarray:
        """The blend, per turn: `lexical_share` of rescaled BM25, the rest rescaled dense.

        That blend then takes `fusion_share` of the rescaled fusion probability (when known).
        """
        lex = rescale(self.lexical)
        out = lex if self.dense is None else (
            lexical_share * lex + (1 - lexical_share) * rescale(self.dense))
        if self.fusion is None or fusion_share <= 0:
            return out
        return (1 - fusion_share) * out + fusion_share * rescale(self.fusion)


def localise(
    q_terms: Sequence[str],
    turn_terms: Sequence[Counter[str]],
    ranges: Sequence[tuple[int, int]] = (),
    matrix: Any = None,
    query_vector: Any = None,
    probabilities: Sequence[tuple[int, int, float]] = (),
) -> Localisation:
    """The signals for one session.

    Args:
        q_terms: the topic's content terms.
        turn_terms: each turn's content terms with counts.
        ranges: the session's chunks' turn spans (positions in `turn_terms`).
        matrix: their stored vectors (None: no dense signal).
        query_vector: the topic's vector.
        probabilities: retrieved chunks' (start, end, fusion probability); none: no fusion signal.
    """
    n = len(turn_terms)
    dense = turn_similarity(n, ranges, matrix, query_vector) if matrix is not None else None
    fusion = turn_probability(n, probabilities) if len(probabilities) else None
    return Localisation(bm25_turns(q_terms, turn_terms), dense, fusion)
