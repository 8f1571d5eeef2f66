"""Question-independent salience and redundancy control over a session's own sentence embeddings.

Salience of a sentence is its cosine to the centroid of the session's content sentences (what
the session is mostly about). Maximal marginal relevance (Carbonell & Goldstein, 1998) picks
sentence after sentence by

    lambda * salience(s) - (1 - lambda) * max cosine(s, already picked)

so the picks cover the session instead of repeating its main point.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from companion.core.terms import content_terms


def centroid_salience(vectors: Any) -> Any:
    """Cosine of each row (normalised) to the normalised mean row; zeros for no rows."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.size == 0:
        return np.zeros(0, dtype=np.float32)
    centroid = matrix.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    if norm == 0.0:
        return np.zeros(len(matrix), dtype=np.float32)
    return matrix @ (centroid / norm)


def mmr_order(
    vectors: Any,
    salience: Any,
    k: int,
    lam: float,
    exclude: set[int] | None = None,
    picked: list[int] | None = None,
) -> list[int]:
    """Up to `k` row indices in MMR order.

    Args:
        vectors: normalised rows.
        salience: one relevance score per row.
        k: how many to pick.
        lam: weight of salience against redundancy (1.0 = salience only).
        exclude: rows never to pick.
        picked: rows already chosen (they count as redundancy but are not returned).
    """
    matrix = np.asarray(vectors, dtype=np.float32)
    scores = np.asarray(salience, dtype=np.float32)
    n = len(scores)
    chosen = list(picked or [])
    blocked = set(exclude or ()) | set(chosen)
    if chosen:
        redundancy = (matrix @ matrix[chosen].T).max(axis=1)
    else:
        redundancy = np.zeros(n, dtype=np.float32)
    out: list[int] = []
    while len(out) < k:
        best, best_score = -1, -np.inf
        for i in range(n):
            if i in blocked:
                continue
            score = lam * scores[i] - (1.0 - lam) * redundancy[i]
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        out.append(best)
        blocked.add(best)
        redundancy = np.maximum(redundancy, matrix @ matrix[best])
    return out


def lexical_shortlist(
    texts: list[str], k: int, keep_first: int = 10, groups: list[str | None] | None = None
) -> list[int]:
    """Indices (in order) of at most `k` texts most central to the whole by their terms.

    A cheap stand-in for embedding every sentence of a long session: each text's TF-IDF vector
    (content terms, IDF over the texts) is scored by cosine to the session's summed vector. The
    first `keep_first` texts are always kept, since the salience prior favours the opening.

    Args:
        texts: the session's content sentences, in order.
        k: how many to keep.
        keep_first: leading texts kept whatever their score.
        groups: a label per text (the speaker); the best text of each label is kept, so every
            participant keeps a sentence to be represented by.
    """
    if len(texts) <= k:
        return list(range(len(texts)))
    bags = [Counter(content_terms(t)) for t in texts]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(texts)
    idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}
    weighted = [{t: c * idf[t] for t, c in bag.items()} for bag in bags]
    total: Counter[str] = Counter()
    for vec in weighted:
        total.update(vec)
    total_norm = math.sqrt(sum(v * v for v in total.values())) or 1.0

    def score(vec: dict[str, float]) -> float:
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return sum(v * total[t] for t, v in vec.items()) / (norm * total_norm)

    keep = set(range(min(keep_first, k)))
    ranked = sorted(range(n), key=lambda i: -score(weighted[i]))
    if groups is not None:
        seen: set[str | None] = set()
        for i in ranked:
            if groups[i] not in seen:
                seen.add(groups[i])
                keep.add(i)
    for i in ranked:
        if len(keep) >= k:
            break
        keep.add(i)
    return sorted(keep)
