"""How strongly a quote reads as advice: detector probability minus housekeeping probability.

Both models score the normalised embedding the registry stores for every quote, so strength is
available wherever quotes are (matching, ranking) without re-embedding. An item of a notes list
under a tips heading is advice by position: its advice probability is 1.

A tip is *weak* when every one of its quotes is weak (strength below `weak_strength`): such
clusters ("I'll keep it short", "My notes below cover ...") passed the detector one sentence
at a time but none of them clearly tells anyone what to do, so they are not ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from companion.core.advice import AdviceDetector
from companion.features.tips.housekeeping import shipped_filter

LIST_CUE = "tips-list"


@cache
def _detector() -> AdviceDetector:
    return AdviceDetector.load()


def advice_probability(vectors: Any) -> np.ndarray:
    """The advice detector's probability of each row (1 for vectors of another length)."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    model = _detector()
    if rows.size == 0:
        return np.zeros(0, dtype=np.float32)
    if rows.shape[1] != model.dimension:
        return np.ones(rows.shape[0], dtype=np.float32)
    return model.predict_proba(rows)


def strengths(
    vectors: Any, cues: Sequence[str | None] | None = None, detector: AdviceDetector | None = None
) -> np.ndarray:
    """Advice probability minus housekeeping probability, one per row.

    Args:
        vectors: (n, dimension) normalised quote embeddings.
        cues: each quote's cue ("tips-list" items count as advice with probability 1).
        detector: the advice classifier; default the shipped weights.

    Returns:
        (n,) values in [-1, 1]; higher is clearer advice. Vectors of another model (another
        length than the detector's) cannot be scored and count as clear advice (1).
    """
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if rows.shape[0] == 0 or rows.size == 0:
        return np.zeros(0, dtype=np.float32)
    model = detector or _detector()
    if rows.shape[1] != model.dimension:
        return np.ones(rows.shape[0], dtype=np.float32)
    advice = model.predict_proba(rows)
    if cues is not None:
        advice = np.where([c == LIST_CUE for c in cues], 1.0, advice).astype(np.float32)
    house = shipped_filter()
    fits = house is not None and house.weights.shape[0] == rows.shape[1]
    chores = house.probability(rows) if house is not None and fits else np.zeros_like(advice)
    return (advice - chores).astype(np.float32)


def is_weak_tip(quote_strengths: Sequence[float], weak_strength: float) -> bool:
    """True when every quote of a tip is weak (an empty tip is not judged weak)."""
    return bool(quote_strengths) and max(quote_strengths) < weak_strength
