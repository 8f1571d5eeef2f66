"""The dense leg's query adapter: a linear map applied to the question's vector before search.

W (dim x dim, near the identity) is fitted on QMSum train by `evals/train_adapter.py` and shipped
as `adapter.npz` next to this module; chunk vectors stay as stored, so nothing is re-ingested.
Without the file (or for another embedding size) questions are searched as embedded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ADAPTER_FILE = Path(__file__).with_name("adapter.npz")

_cached: dict[Path, np.ndarray | None] = {}


def load_adapter(path: Path = ADAPTER_FILE) -> np.ndarray | None:
    """The shipped matrix (read once), or None when the file is absent."""
    if path not in _cached:
        _cached[path] = (
            np.asarray(np.load(path)["w"], dtype=np.float32) if path.is_file() else None
        )
    return _cached[path]


def adapt(vector: list[float], w: np.ndarray | None) -> list[float]:
    """The question's vector mapped by `w` and normalised (unchanged without a matching `w`).

    Args:
        vector: the embedded question.
        w: the adapter matrix (rows: output dimensions).
    """
    if w is None or w.shape != (len(vector), len(vector)):
        return vector
    out = w @ np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(out))
    if norm < 1e-9:
        return vector
    return [float(v) for v in out / norm]
