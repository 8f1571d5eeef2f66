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

from companion.storage.vectors import stored_vectors

if TYPE_CHECKING:
    from companion.retrieval.context import Context


@dataclass
class ChunkVectors:
    """Normalised chunk vectors with the turn range each chunk covers."""

    ranges: list[tuple[int, int]]
    matrix: Any
    _table: tuple[Any, Any, int] | None = field(default=None, repr=False)

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

    def _turn_table(self) -> tuple[Any, Any, int]:
        """(vectors, row of each turn in them or -1, first turn): one pass over the chunks.

        A turn held by one chunk takes that chunk's vector (normalised again, once per chunk);
        a turn split over several chunks takes their normalised mean. Counting holders with
        cumulative sums keeps the work per chunk, not per turn.
        """
        if self._table is None:
            starts = np.array([a for a, _ in self.ranges], dtype=np.int64)
            ends = np.array([b for _, b in self.ranges], dtype=np.int64)
            first = int(starts.min())
            span = int(ends.max()) - first + 2
            holders = np.zeros(span, dtype=np.int64)
            owner = np.zeros(span, dtype=np.int64)
            chunk = np.arange(len(self.ranges), dtype=np.int64)
            np.add.at(holders, starts - first, 1)
            np.add.at(holders, ends - first + 1, -1)
            np.add.at(owner, starts - first, chunk)
            np.add.at(owner, ends - first + 1, -chunk)
            holders, owner = np.cumsum(holders)[:-1], np.cumsum(owner)[:-1]
            vectors = [self._unit(self.matrix[[c]].mean(axis=0)) for c in chunk.tolist()]
            index = np.where(holders == 1, owner, -1)
            for t in np.flatnonzero(holders > 1).tolist():  # a turn split over chunks (rare)
                rows = [c for c, (a, b) in enumerate(self.ranges) if a <= t + first <= b]
                index[t] = len(vectors)
                vectors.append(self._unit(self.matrix[rows].mean(axis=0)))
            self._table = (np.stack(vectors), index, first)
        return self._table

    @staticmethod
    def _unit(v: Any) -> Any:
        return v / (float(np.linalg.norm(v)) or 1.0)

    def _rows_of(self, turns: Sequence[int]) -> Any:
        """Row in the turn table of each turn; -1 for a turn no chunk holds."""
        _, index, first = self._turn_table()
        at = np.asarray(turns, dtype=np.int64) - first
        inside = (at >= 0) & (at < len(index))
        return np.where(inside, index[np.clip(at, 0, len(index) - 1)], -1)

    def for_turn(self, turn: int) -> Any:
        """The vector of the chunk(s) holding a turn; None when no chunk holds it."""
        if self.empty:
            return None
        row = int(self._rows_of([turn])[0])
        return None if row < 0 else self._turn_table()[0][row]

    def rows_for(self, turns: Sequence[int]) -> Any:
        """One vector per turn index (the centroid for a turn no chunk holds)."""
        if self.empty:
            return np.zeros((len(turns), 1), dtype=np.float32)
        if not len(turns):
            return np.zeros((0, self.matrix.shape[1]), dtype=np.float32)
        vectors = self._turn_table()[0]
        rows = self._rows_of(turns)
        out = vectors[np.maximum(rows, 0)]
        if (rows < 0).any():
            out[rows < 0] = self.centroid()
        return out


def stored_chunk_vectors(ctx: Context, session_id: str) -> ChunkVectors:
    """The session's chunk vectors as stored (empty when there are none)."""
    chunks = ctx.catalog.chunks(session_id)
    if not chunks:
        return ChunkVectors.from_ranges([], [])
    by_id = stored_vectors(ctx.catalog, ctx.vectors, [c.id for c in chunks])
    kept = [c for c in chunks if c.id in by_id]
    return ChunkVectors.from_ranges([(c.turn_start, c.turn_end) for c in kept],
                                    [by_id[c.id] for c in kept])
