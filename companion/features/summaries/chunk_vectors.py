"""The chunk vectors ingest already stored, mapped to turns, so summaries embed nothing again.

A sentence's vector for salience is the vector of the chunk holding its turn (a long turn split
over several chunks takes their mean). `stored_chunk_vectors` reads them from the Chroma
collection by the session's chunk ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from companion.retrieval.context import Context


@dataclass
class ChunkVectors:
    """Normalised chunk vectors with the turn range each chunk covers."""

    ranges: list[tuple[int, int]]
    matrix: Any
    _by_turn: dict[int, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_ranges(cls, ranges: Sequence[tuple[int, int]], matrix: Any) -> ChunkVectors:
        """Rows of `matrix` (normalised here) for the chunks covering `ranges`."""
        rows = np.asarray(matrix, dtype=np.float32).reshape(len(ranges), -1) if len(ranges) \
            else np.zeros((0, 1), dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True) if len(rows) else 1.0
        rows = rows / np.maximum(norms, 1e-9)
        return cls(list(ranges), rows)

    @property
    def empty(self) -> bool:
        """True when no chunk has a vector."""
        return len(self.ranges) == 0

    def centroid(self) -> Any:
        """The normalised mean chunk vector (what the session is mostly about)."""
        if self.empty:
            return np.zeros(1, dtype=np.float32)
        mean = self.matrix.mean(axis=0)
        return mean / (float(np.linalg.norm(mean)) or 1.0)

    def for_turn(self, turn: int) -> Any:
        """The vector of the chunk(s) holding a turn; None when no chunk holds it."""
        if not self._by_turn and not self.empty:
            grouped: dict[int, list[int]] = {}
            for row, (a, b) in enumerate(self.ranges):
                for t in range(a, b + 1):
                    grouped.setdefault(t, []).append(row)
            for t, rows in grouped.items():
                v = self.matrix[rows].mean(axis=0)
                self._by_turn[t] = v / (float(np.linalg.norm(v)) or 1.0)
        return self._by_turn.get(turn)

    def rows_for(self, turns: Sequence[int]) -> Any:
        """One vector per turn index (the centroid for a turn no chunk holds)."""
        if self.empty:
            return np.zeros((len(turns), 1), dtype=np.float32)
        centre = self.centroid()
        rows = [self.for_turn(t) for t in turns]
        return np.stack([centre if r is None else r for r in rows]) if rows \
            else np.zeros((0, self.matrix.shape[1]), dtype=np.float32)


def stored_chunk_vectors(ctx: Context, session_id: str) -> ChunkVectors:
    """The session's chunk vectors as stored in Chroma (empty when there are none)."""
    chunks = ctx.catalog.chunks(session_id)
    if not chunks:
        return ChunkVectors.from_ranges([], [])
    by_id = ctx.vectors.vectors_of([c.id for c in chunks])
    kept = [c for c in chunks if c.id in by_id]
    return ChunkVectors.from_ranges([(c.turn_start, c.turn_end) for c in kept],
                                    [by_id[c.id] for c in kept])
