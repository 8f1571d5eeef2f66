"""A learned advice detector: a small classifier over MiniLM sentence embeddings and word cues.

The weights (`advice_model.npz`, next to this module) are trained by `python -m
evals.train_advice` on the Advice-EMNLP2020 Reddit sentences plus hand-labelled speech; the
decision threshold is chosen on held-out folds of the training data and stored with them.
Runtime needs numpy only: the caller embeds the sentences (the product's embedding model,
normalised) and this module scores them.

Two heads share one threshold:
- the *text head* (used when the sentences' text is passed): a linear model over the embedding
  and hashed word cues of the sentence (words, word pairs, the first content word - the cue of an
  imperative - and a trailing question mark). The cues are features with learned weights, not
  rules that decide.
- the *embedding head* `layers` (used when only vectors are at hand, e.g. stored quote vectors):
  a small network over the embedding alone, its bias shifted so the same threshold applies.

A *cue pre-stage* (`CueStage`, optional in the weights) is a logistic model over the same hashed
word cues alone: it needs no embedding, so extraction runs it first and embeds only the sentences
it passes. Its threshold is set low, so that it keeps nearly all (by default >= 97%) of what the
full detector keeps on meeting speech (chosen on QMSum *train* meetings by `train_advice`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
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
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\?")
# Openers skipped when finding the first content word ("So, um, always ..." -> "always").
_OPENERS = frozenset("uh um er so and well yeah yes okay ok oh but also then now right".split())
BUCKETS = 16384  # 4096 collided more: mean forum-dev F1 0.652 against 0.659


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


def cue_buckets(text: str, buckets: int = BUCKETS) -> list[int]:
    """Hashed word cues of one sentence (distinct bucket indexes).

    Cues: lower-cased words and adjacent word pairs, the first one and two content words after
    openers such as "so" or "um" (marked "^"), and "$?" when the sentence ends as a question.

    Args:
        text: one sentence.
        buckets: size of the hashed feature space.

    Returns:
        Sorted distinct indexes in `[0, buckets)`.
    """
    words = _WORD.findall(text.lower().replace("’", "'"))
    cues = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    content = [w for w in words if w not in _OPENERS]
    if content:
        cues.add("^" + content[0])
    if len(content) > 1:
        cues.add(f"^{content[0]} {content[1]}")
    if words and words[-1] == "?":
        cues.add("$?")
    return sorted({zlib.crc32(c.encode()) % buckets for c in cues})


@dataclass
class TextHead:
    """Linear model over [embedding | hashed cues].

    Attributes:
        embedding: (dimension,) weights of the embedding.
        cues: (buckets,) weights of the hashed cues (each cue present counts `scale`).
        bias: intercept.
        scale: value of a present cue (the training-time feature scale).
    """

    embedding: np.ndarray
    cues: np.ndarray
    bias: float
    scale: float

    def logits(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """One logit per row."""
        cue_sum = np.array([self.cues[cue_buckets(t, len(self.cues))].sum() for t in texts],
                           dtype=np.float32)
        return vectors @ self.embedding + self.scale * cue_sum + self.bias


@dataclass
class CueStage:
    """Cheap first stage: a logistic model over the hashed word cues only (no embedding).

    Attributes:
        cues: (buckets,) weights of the hashed cues (a present cue counts 1).
        bias: intercept.
        threshold: logit at or above which a sentence goes on to the full detector.
    """

    cues: np.ndarray
    bias: float
    threshold: float

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """One logit per sentence."""
        return np.array([self.cues[cue_buckets(t, len(self.cues))].sum() + self.bias
                         for t in texts], dtype=np.float32)

    def passes(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean mask: the sentences worth embedding and scoring with the full detector."""
        if not texts:
            return np.zeros(0, dtype=bool)
        return self.logits(texts) >= self.threshold


@dataclass
class AdviceDetector:
    """Probability that a sentence gives advice, from its embedding (and its text when given).

    Attributes:
        layers: the embedding head, (weights, bias) pairs input to output (ReLU between; one
            pair is logistic regression); the last layer has one output.
        threshold: probability at or above which a sentence counts as advice.
        text: the text head, used when `predict_proba` gets the sentences' text.
        cue_stage: the cheap pre-stage over word cues (None: every sentence is embedded).
    """

    layers: list[tuple[np.ndarray, np.ndarray]]
    threshold: float
    text: TextHead | None = None
    cue_stage: CueStage | None = None

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
            text = None
            if "text_cues" in data.files:
                text = TextHead(data["text_embedding"].astype(np.float32),
                                data["text_cues"].astype(np.float32),
                                float(data["text_bias"]), float(data["text_scale"]))
            stage = None
            if "stage_cues" in data.files:
                stage = CueStage(data["stage_cues"].astype(np.float32),
                                 float(data["stage_bias"]), float(data["stage_threshold"]))
            return cls(layers=layers, threshold=float(data["threshold"]), text=text,
                       cue_stage=stage)

    def save(self, path: str | Path) -> None:
        """Write the weights and threshold (float16 weights keep the file small)."""
        arrays: dict[str, np.ndarray] = {
            "layers": np.array(len(self.layers)),
            "threshold": np.array(self.threshold),
        }
        for i, (w, b) in enumerate(self.layers):
            arrays[f"w{i}"] = w.astype(np.float16)
            arrays[f"b{i}"] = b.astype(np.float32)
        if self.text is not None:
            arrays.update(text_embedding=self.text.embedding.astype(np.float16),
                          text_cues=self.text.cues.astype(np.float16),
                          text_bias=np.array(self.text.bias), text_scale=np.array(self.text.scale))
        if self.cue_stage is not None:
            arrays.update(stage_cues=self.cue_stage.cues.astype(np.float16),
                          stage_bias=np.array(self.cue_stage.bias),
                          stage_threshold=np.array(self.cue_stage.threshold))
        np.savez_compressed(Path(path), **arrays)  # type: ignore[arg-type]

    def worth_embedding(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean mask of the sentences the cue pre-stage passes (all when there is none)."""
        if self.cue_stage is None:
            return np.ones(len(texts), dtype=bool)
        return self.cue_stage.passes(texts)

    def predict_proba(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Advice probability of each embedding.

        Args:
            vectors: (n, dimension) normalised sentence embeddings (or one vector).
            texts: the n sentences the vectors embed; with them the text head scores (better),
                without them the embedding head.

        Returns:
            (n,) probabilities in [0, 1].
        """
        x = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if x.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        if texts is not None and self.text is not None:
            if len(texts) != x.shape[0]:
                raise ValueError(f"{len(texts)} texts for {x.shape[0]} vectors")
            logits = self.text.logits(x, texts)
        else:
            for w, b in self.layers[:-1]:
                x = np.maximum(x @ w + b, 0.0)
            w, b = self.layers[-1]
            logits = (x @ w + b).reshape(-1)
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def is_advice(self, vectors: np.ndarray, threshold: float | None = None,
                  texts: Sequence[str] | None = None) -> np.ndarray:
        """Boolean mask: probability at or above `threshold` (default the calibrated one)."""
        cut = self.threshold if threshold is None else threshold
        return self.predict_proba(vectors, texts) >= cut
