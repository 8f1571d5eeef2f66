"""How alike two advice quotes are in what they tell you to do.

Two things make raw sentence-embedding cosines a poor judge of "same action" inside one corpus:

- Framing. "Top tip: check it twice" and "What I learnt the hard way:
  a queue that keeps growing is the signal" carry their framing into the embedding. A short
  lead ending in a colon is dropped before embedding (`action_text`); the quote itself stays
  verbatim.
- A shared domain. In a corpus about one workplace every quote mentions its patients, shifts
  or deploys, so different advice from one domain scores as close as paraphrases do. Vectors
  are compared after subtracting the corpus centroid of the advice quotes (`Centroid`), shrunk
  towards zero while there are few quotes, so a registry of one session is barely centred.

Pure numpy; the thresholds that read these scores are calibrated by `evals.tips_pairs`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

# A short lead that frames what follows ("Top tip:", "What I learnt the hard way:").
_FRAME = re.compile(r"^\s*(?:[^:.!?]{1,80}?):\s+(?=\S)")
_MAX_FRAME_WORDS = 10
_OPENERS = re.compile(
    r"^(?:(?:so|and|but|okay|ok|right|honestly|um|uh|erm|well|yeah|look|also|then|just)"
    r"\b[\s,]*)+",
    re.I,
)


def action_text(quote: str) -> str:
    """The part of a quote that says what to do: framing lead and opening fillers dropped.

    Args:
        quote: a verbatim advice quote.

    Returns:
        The text to embed for clustering ("check it twice, ..." for "Top tip: check it
        twice, ..."); the quote unchanged when nothing would be left.
    """
    text = quote.strip()
    match = _FRAME.match(text)
    if match and len(match.group(0).split()) <= _MAX_FRAME_WORDS:
        text = text[match.end():]
    text = _OPENERS.sub("", text).strip()
    return text if len(text.split()) >= 2 else quote.strip()


class Centroid:
    """Running mean of raw quote vectors, shrunk towards zero while it rests on few quotes.

    Args:
        dimension: length of the vectors.
        shrink: pseudo-count of zero vectors; the centroid is sum / (n + shrink).
    """

    def __init__(self, dimension: int, shrink: float = 10.0) -> None:
        self.total = np.zeros(dimension, dtype=np.float64)
        self.count = 0
        self.shrink = shrink

    def add(self, vectors: Any) -> None:
        """Count more quote vectors (one row or a matrix of rows)."""
        rows = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        if rows.size:
            self.total += rows.sum(axis=0)
            self.count += rows.shape[0]

    @property
    def vector(self) -> np.ndarray:
        """The shrunk centroid."""
        return (self.total / (self.count + self.shrink)).astype(np.float32)


def centred(vectors: Any, centroid: Any) -> np.ndarray:
    """Rows minus the centroid, normalised to unit length (a zero row stays zero)."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32)) - np.asarray(
        centroid, dtype=np.float32
    )
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)
