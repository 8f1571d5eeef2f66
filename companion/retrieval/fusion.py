"""Learned fusion of dense and lexical candidates: features per chunk, a logistic model over them.

Pure numpy (and stdlib): the weights are fitted on QMSum train by `evals/train_fusion.py` and
shipped as `fusion_weights.json` next to this module. A candidate is anything with the attributes
of `RetrievedChunk` read below (`session_id`, `ordinal`, `similarity`, `dense_rank`,
`lexical_score`, `lexical_rank`, `speakers`, `turn_start`, `turn_end`, `text`).

The features say how well a chunk matches (its cosine and BM25 score, each also relative to the
best of the question), how well its whole session matches (the session's share of the
candidates' fused mass, its best cosine, its rank among sessions), how well its neighbours match
(chunks next to it in the same session), and whether the question names one of its speakers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import STOPWORDS, words

WEIGHTS_FILE = Path(__file__).with_name("fusion_weights.json")
# Fitted on candidates found with the query adapter (`retrieval.query_adapter`): its cosines.
ADAPTED_WEIGHTS_FILE = Path(__file__).with_name("fusion_weights_adapted.json")

FEATURES = (
    "dense_sim", "dense_rel", "dense_logrank", "lex_rel", "lex_present", "lex_logrank", "rrf",
    "sess_share", "sess_dense_rel", "sess_logrank", "nb_dense_rel", "nb_lex_rel", "speaker_match",
    "speaker_named", "log_turns", "log_chars",
)

_PAREN = re.compile(r"\([^)]*\)")
RRF_K = 30.0
MISSING_RANK = 100


@lru_cache(maxsize=4096)
def speaker_words(speaker: str) -> frozenset[str]:
    """Name words of a speaker label ("Marketing (ES2008a)" → {"marketing"})."""
    return frozenset(w for w in words(_PAREN.sub(" ", speaker))
                     if len(w) > 2 and w not in STOPWORDS)


def _rank_feature(rank: int | None) -> float:
    return -math.log1p(MISSING_RANK if rank is None else rank)


def features(question: str, candidates: Sequence[Any]) -> np.ndarray:
    """The feature matrix (one row per candidate, columns as `FEATURES`).

    Args:
        question: the user's question.
        candidates: the fused candidate chunks of that question.
    """
    n = len(candidates)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return x
    sims = np.array([c.similarity if c.similarity is not None else 0.0 for c in candidates])
    lex = np.array([max(0.0, c.lexical_score or 0.0) for c in candidates])
    best_sim = float(sims.max())
    best_lex = float(lex.max()) or 1.0
    lex_rel = lex / best_lex
    rrf = np.array(
        [
            1.0 / (RRF_K + 1 + (c.dense_rank if c.dense_rank is not None else MISSING_RANK))
            + 1.0 / (RRF_K + 1 + (c.lexical_rank if c.lexical_rank is not None else MISSING_RANK))
            for c in candidates
        ]
    )
    # Session routing: how much of the question's fused mass each session holds.
    mass: dict[str, float] = {}
    sess_best: dict[str, float] = {}
    for c, r, s in zip(candidates, rrf, sims, strict=True):
        mass[c.session_id] = mass.get(c.session_id, 0.0) + float(r)
        sess_best[c.session_id] = max(sess_best.get(c.session_id, -1.0), float(s))
    total = sum(mass.values()) or 1.0
    order = {s: i for i, s in enumerate(sorted(mass, key=lambda s: -mass[s]))}
    # Neighbourhood: the best adjacent chunk of the same session among the candidates.
    at = {(c.session_id, c.ordinal): i for i, c in enumerate(candidates)}
    q_words = {w for w in words(question) if len(w) > 2 and w not in STOPWORDS}
    named = {
        i for i, c in enumerate(candidates) if any(speaker_words(s) & q_words for s in c.speakers)
    }
    for i, c in enumerate(candidates):
        nbs = [at.get((c.session_id, c.ordinal + d)) for d in (-1, 1)]
        nbs_i = [j for j in nbs if j is not None]
        x[i] = (
            sims[i],
            sims[i] - best_sim,
            _rank_feature(c.dense_rank),
            lex_rel[i],
            float(c.lexical_rank is not None),
            _rank_feature(c.lexical_rank),
            rrf[i] * RRF_K,
            mass[c.session_id] / total,
            sess_best[c.session_id] - best_sim,
            -math.log1p(order[c.session_id]),
            max((sims[j] for j in nbs_i), default=best_sim - 0.5) - best_sim,
            max((lex_rel[j] for j in nbs_i), default=0.0),
            float(i in named),
            float(bool(named)),
            math.log1p(c.turn_end - c.turn_start + 1),
            math.log1p(len(c.text)),
        )
    return x


@dataclass
class FusionModel:
    """A logistic model over standardised features: P(chunk covers the evidence)."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    names: tuple[str, ...] = FEATURES

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Log-odds per row of a feature matrix."""
        if len(x) == 0:
            return np.zeros(0)
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probabilities per row of a feature matrix."""
        return 1.0 / (1.0 + np.exp(-self.logits(x)))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready weights."""
        return {
            "features": list(self.names),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FusionModel:
        """The model saved by `to_json`; features must match this module's."""
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError("fusion weights were fitted on other features; rerun train_fusion")
        return cls(
            np.array(data["weights"]),
            float(data["bias"]),
            np.array(data["mean"]),
            np.array(data["scale"]),
            names,
        )


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 400, sample_weight: Any = None
) -> FusionModel:
    """A logistic model fitted by Newton steps (IRLS) on standardised features.

    Args:
        x: feature rows.
        y: 0/1 labels.
        l2: ridge penalty on the weights (not the bias).
        steps: at most this many Newton iterations.
        sample_weight: optional weight per row.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    sw = np.ones(len(x)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    ridge = np.full(z.shape[1], l2)
    ridge[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (sw * (p - y)) + ridge * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(ridge + 1e-9)
        delta = np.linalg.solve(hess, grad)
        w -= delta
        if np.abs(delta).max() < 1e-7:
            break
    return FusionModel(w[:-1], float(w[-1]), mean, scale, FEATURES)


def fit_listwise(
    x: np.ndarray, y: np.ndarray, qid: np.ndarray, l2: float = 10.0, steps: int = 100
) -> FusionModel:
    """A ranking model: softmax over each question's candidates, pushed towards its positives.

    The loss is -log of the softmax mass on a question's positive chunks (questions without one
    are skipped), by Newton steps on standardised features; then a one-dimensional logistic
    (Platt) maps the score to a probability, folded into the weights.

    Args:
        x: feature rows.
        y: 0/1 labels.
        qid: the question of each row.
        l2: ridge penalty (per question averaged loss).
        steps: at most this many Newton steps.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    keep = np.isin(qid, np.unique(qid[y > 0]))  # questions with a positive candidate
    order = np.argsort(qid[keep], kind="stable")
    z = ((x[keep] - mean) / scale)[order]
    pos = (y[keep] > 0)[order].astype(float)
    q = qid[keep][order]
    starts = np.flatnonzero(np.r_[True, q[1:] != q[:-1]])
    group = np.cumsum(np.r_[True, q[1:] != q[:-1]]) - 1
    n_groups = max(1, len(starts))
    w = np.zeros(z.shape[1])
    for _ in range(steps if len(z) else 0):
        s = z @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        p = e / np.add.reduceat(e, starts)[group]
        s_pos = np.where(pos > 0, s, -np.inf)
        pe = pos * np.exp(np.minimum(0.0, s - np.maximum.reduceat(s_pos, starts)[group]))
        pp = pe / np.add.reduceat(pe, starts)[group]
        grad = (l2 * w + (p - pp) @ z) / n_groups
        # Newton step on the softmax curvature (an upper bound of the loss's: steps are safe).
        pz = p[:, None] * z
        m = np.add.reduceat(pz, starts)
        hess = (z.T @ pz - m.T @ m + np.diag(np.full(len(w), l2 + 1e-6))) / n_groups
        delta = np.linalg.solve(hess, grad)
        w -= delta
        if np.abs(delta).max() < 1e-6:
            break
    platt = fit_logistic((((x - mean) / scale) @ w)[:, None], y, l2=0.0)
    a = float(platt.weights[0] / platt.scale[0])
    b = float(platt.bias - platt.weights[0] * platt.mean[0] / platt.scale[0])
    return FusionModel(w * a, b, mean, scale, FEATURES)


def diversify(
    candidates: Sequence[Any], logits: np.ndarray, penalty: float, depth: int = 10
) -> list[int]:
    """Candidate indices best first, the first `depth` picked greedily with a neighbour penalty.

    A candidate next to one already picked (same session, adjacent `ordinal`) loses `penalty`
    log-odds, so the top places cover several moments; the rest follow by logit.

    Args:
        candidates: chunks with `session_id` and `ordinal`.
        logits: the fusion log-odds of each candidate.
        penalty: log-odds taken per picked neighbour (0: plain order by logit).
        depth: places filled greedily.
    """
    order = [int(i) for i in np.argsort(-logits, kind="stable")]
    if penalty <= 0 or len(order) < 2:
        return order
    left = list(order)
    picked: list[int] = []
    near: dict[tuple[str, int], int] = {}
    while left and len(picked) < depth:
        best = max(
            left,
            key=lambda i: logits[i]
            - penalty * near.get((candidates[i].session_id, candidates[i].ordinal), 0),
        )
        left.remove(best)
        picked.append(best)
        c = candidates[best]
        for d in (-1, 1):
            key = (c.session_id, c.ordinal + d)
            near[key] = near.get(key, 0) + 1
    return picked + left


_cached: dict[Path, FusionModel | None] = {}


def load_model(path: Path = WEIGHTS_FILE) -> FusionModel | None:
    """The shipped model (read once), or None when the file is absent."""
    if path not in _cached:
        _cached[path] = (
            FusionModel.from_json(json.loads(path.read_text(encoding="utf-8")))
            if path.is_file()
            else None
        )
    return _cached[path]
