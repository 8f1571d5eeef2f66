"""A learned advice detector: a small classifier over normalised MiniLM sentence embeddings.

The weights (`advice_model.npz`, next to this module) are trained by `python -m
evals.train_advice` on the Advice-EMNLP2020 Reddit sentences plus hand-labelled meeting speech;
the decision threshold is calibrated on held-out dev sentences and stored with them. Runtime needs
numpy only: the caller embeds the sentences (the product's embedding model, normalised) and this
module scores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).with_name("advice_model.npz")

# spaCy tokenisation as in the Reddit data: "do n't", "they ’re", "word ." , "( aside )".
_CONTRACTION = re.compile(r"(\w) (n['’]t|['’](?:s|re|m|ll|ve|d|em)\b)", re.I)
_SPACE_BEFORE = re.compile(r" +([.,!?;:%)\]}]|\.\.\.)")
_SPACE_AFTER = re.compile(r"([(\[{$]) +")
_DOUBLE_QUOTES = re.compile(r'"" ?(.*?) ?""')
_SPACES = re.compile(r"\s+")


def detokenise(text: str) -> str:
    """Undo spaCy-style tokenisation: "I do n't know ." becomes "I don't know.".

    Args:
        text: one tokenised sentence.

    Returns:
        The sentence as it would have been written.
    """
    out = _SPACES.sub(" ", text).strip()
    out = _CONTRACTION.sub(r"\1\2", out)
    out = _SPACE_BEFORE.sub(r"\1", out)
    out = _SPACE_AFTER.sub(r"\1", out)
    out = _DOUBLE_QUOTES.sub(r'"\1"', out)
    return out


@dataclass
class AdviceDetector:
    """Probability that a sentence gives advice, from its embedding.

    A one-hidden-layer network (ReLU) or, with no hidden layer, logistic regression.

    Attributes:
        layers: (weights, bias) pairs, input to output; the last layer has one output.
        threshold: probability at or above which a sentence counts as advice (calibrated on dev).
        dimension: length of the embeddings the model expects.
    """

    layers: list[tuple[np.ndarray, np.ndarray]]
    threshold: float

    @property
    def dimension(self) -> int:
        """Length of the input embeddings."""
        return int(self.layers[0][0].shape[0])

    @classmethod
    def load(cls, path: str | Path | None = None) -> AdviceDetector:
        """Load shipped weights.

        Args:
            path: an `.npz` written by `save`; default the bundled `advice_model.npz`.

        Returns:
            The detector.
        """
        with np.load(Path(path) if path else DEFAULT_PATH) as data:
            count = int(data["layers"])
            layers = [
                (data[f"w{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(count)
            ]
            return cls(layers=layers, threshold=float(data["threshold"]))

    def save(self, path: str | Path) -> None:
        """Write the weights and threshold (float16 weights keep the file small)."""
        arrays: dict[str, np.ndarray] = {
            "layers": np.array(len(self.layers)),
            "threshold": np.array(self.threshold),
        }
        for i, (w, b) in enumerate(self.layers):
            arrays[f"w{i}"] = w.astype(np.float16)
            arrays[f"b{i}"] = b.astype(np.float32)
        np.savez_compressed(Path(path), **arrays)  # type: ignore[arg-type]

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """Advice probability of each embedding.

        Args:
            vectors: (n, dimension) normalised sentence embeddings (or one vector).

        Returns:
            (n,) probabilities in [0, 1].
        """
        x = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if x.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        for w, b in self.layers[:-1]:
            x = np.maximum(x @ w + b, 0.0)
        w, b = self.layers[-1]
        logits = (x @ w + b).reshape(-1)
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def is_advice(self, vectors: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Boolean mask: probability at or above `threshold` (default the calibrated one)."""
        cut = self.threshold if threshold is None else threshold
        return self.predict_proba(vectors) >= cut
