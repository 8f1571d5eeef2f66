"""Housekeeping is not advice: lunch, rooms, recordings, forms and rotas stay out of the tips.

A logistic regression over the quote's embedding (the vector the registry computes anyway),
trained by `python -m evals.train_housekeeping` on housekeeping lines and advice written for
the purpose (`evals/data/housekeeping_lines.jsonl`, `evals/data/tip_paraphrases.jsonl`); the
weights ship as `housekeeping.npz` beside this module. Numpy only at runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = Path(__file__).with_name("housekeeping.npz")


@dataclass(frozen=True)
class HousekeepingFilter:
    """P(housekeeping) of a quote from its normalised embedding.

    Attributes:
        weights: one weight per embedding dimension.
        bias: the intercept.
        threshold: probability at or above which a quote is housekeeping (chosen so that
            almost no advice in cross-validation is dropped).
    """

    weights: np.ndarray
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> HousekeepingFilter:
        """The shipped weights (or those at `path`)."""
        with np.load(path) as data:
            return cls(data["weights"].astype(np.float32), float(data["bias"]),
                       float(data["threshold"]))

    def save(self, path: Path = WEIGHTS) -> None:
        """Write the weights as npz."""
        np.savez(path, weights=self.weights.astype(np.float32), bias=np.float32(self.bias),
                 threshold=np.float32(self.threshold))

    def probability(self, vectors: Any) -> np.ndarray:
        """P(housekeeping) for each row."""
        rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return 1.0 / (1.0 + np.exp(-(rows @ self.weights + self.bias)))

    def is_housekeeping(self, vectors: Any, threshold: float | None = None) -> np.ndarray:
        """True for each row whose probability reaches the threshold."""
        return self.probability(vectors) >= (self.threshold if threshold is None else threshold)


@cache
def shipped_filter() -> HousekeepingFilter | None:
    """The shipped filter, or None when its weights are missing (then nothing is dropped)."""
    return HousekeepingFilter.load() if WEIGHTS.is_file() else None


def drop_housekeeping(
    items: list[Any], vectors: list[Any], threshold: float | None = None
) -> tuple[list[Any], list[Any]]:
    """The items (and their vectors) that are not housekeeping, in order.

    Args:
        items: advice candidates.
        vectors: their normalised embeddings, one per item.
        threshold: overrides the shipped threshold; above 1 keeps everything.
    """
    model = shipped_filter()
    if model is None or not items:
        return items, vectors
    drop = model.is_housekeeping(np.stack([np.asarray(v) for v in vectors]), threshold)
    kept = [i for i in range(len(items)) if not drop[i]]
    return [items[i] for i in kept], [vectors[i] for i in kept]
