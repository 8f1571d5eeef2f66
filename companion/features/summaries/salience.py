"""Redundancy control: maximal marginal relevance over normalised rows.

Maximal marginal relevance (Carbonell & Goldstein, 1998) picks row after row by

    lambda * salience(s) - (1 - lambda) * max cosine(s, already picked)

so the picks cover the session instead of repeating its main point. Salience comes from the
learned scorer (`scorer.py`); the rows are TF-IDF rows (summaries) or quote embeddings (tips).
"""

from __future__ import annotations

from typing import Any

import numpy as np


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
