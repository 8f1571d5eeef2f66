"""A calibrated confidence (0–1) that an answer cites the right moment, and when to abstain.

Two logistic models over what retrieval found for the question, P(on topic) and P(the answer
cites the evidence | on topic); the confidence is their product, abstention is P(on topic)
below a threshold. Features: the fusion probability of the best
chunk and its margin over the next ones, how concentrated the best chunks are in one session,
the best cosine and BM25 score, and how many of the question's terms the best chunks contain.
Fitted on QMSum train (answers labelled by whether they cite a gold span, plus general-knowledge
questions as negatives) by `evals/train_fusion.py`, which also fits the abstention threshold.
Pure numpy; the weights ship as `confidence_weights.json`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import content_terms

WEIGHTS_FILE = Path(__file__).with_name("confidence_weights.json")
ADAPTED_WEIGHTS_FILE = Path(__file__).with_name("confidence_weights_adapted.json")  # adapter on
CLIP = 4.0  # standard deviations

FEATURES = (
    "top_logit",
    "margin_2",
    "margin_5",
    "top5_mean_prob",
    "session_share",
    "best_similarity",
    "log_best_bm25",
    "term_coverage",
    "log_terms",
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def question_features(retrieval: Any) -> list[float]:
    """The confidence features of one retrieval (chunks best first, with `probability`)."""
    # By probability: retrieval diversifies its first places, the features read the ranking.
    chunks = sorted(retrieval.chunks, key=lambda c: -(c.probability or 0.0))
    probs = [c.probability if c.probability is not None else 0.0 for c in chunks[:10]] or [0.0]
    probs += [probs[-1]] * (5 - len(probs))  # a small corpus: no margin over absent chunks
    logits = [_logit(p) for p in probs]
    mass: dict[str, float] = {}
    for c, p in zip(chunks[:10], probs, strict=False):
        mass[c.session_id] = mass.get(c.session_id, 0.0) + p
    share = max(mass.values()) / (sum(mass.values()) or 1.0) if mass else 0.0
    q_terms = set(content_terms(retrieval.question))
    top_terms: set[str] = set()
    for c in chunks[:3]:
        top_terms |= set(content_terms(c.text))
    coverage = len(q_terms & top_terms) / len(q_terms) if q_terms else 0.0
    best_bm25 = max((c.lexical_score or 0.0 for c in chunks), default=0.0)
    return [
        logits[0],
        logits[0] - logits[1],
        logits[0] - logits[4],
        float(np.mean(probs[:5])),
        share,
        float(retrieval.best_similarity),
        math.log1p(max(0.0, best_bm25)),
        coverage,
        math.log1p(len(q_terms)),
    ]


@dataclass
class Logistic:
    """Logistic weights over standardised `FEATURES`."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def probability(self, x: np.ndarray) -> float:
        """P(positive) of one feature row."""
        # Clipped: a corpus unlike the training one must not extrapolate a feature to certainty.
        standard = np.clip((x - self.mean) / self.scale, -CLIP, CLIP)
        z = float(standard @ self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Logistic:
        """The model saved by `FusionModel.to_json` (same layout)."""
        return cls(
            np.array(data["weights"]),
            float(data["bias"]),
            np.array(data["mean"]),
            np.array(data["scale"]),
        )


@dataclass
class ConfidenceModel:
    """P(on topic) × P(cites the evidence | on topic), and the on-topic abstention threshold."""

    topic: Logistic
    hit: Logistic
    threshold: float

    def assess(self, retrieval: Any) -> tuple[float, float]:
        """(confidence, P(on topic)) of a retrieval; (0, 0) when nothing was found."""
        if not retrieval.chunks:
            return 0.0, 0.0
        x = np.array(question_features(retrieval))
        on_topic = self.topic.probability(x)
        return on_topic * self.hit.probability(x), on_topic

    def confidence(self, retrieval: Any) -> float:
        """P(the answer cites the evidence), from what retrieval found."""
        return self.assess(retrieval)[0]


_cached: dict[Path, ConfidenceModel | None] = {}


def load_confidence(path: Path = WEIGHTS_FILE) -> ConfidenceModel | None:
    """The shipped model (read once), or None when the file is absent or out of date."""
    if path not in _cached:
        model = None
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            if tuple(data["features"]) == FEATURES:
                model = ConfidenceModel(
                    Logistic.from_json(data["topic"]),
                    Logistic.from_json(data["hit"]),
                    float(data["threshold"]),
                )
        _cached[path] = model
    return _cached[path]
