"""Train the housekeeping filter (`companion/features/tips/housekeeping.npz`).

Positives: `evals/data/housekeeping_lines.jsonl` (lunch, rooms, recordings, forms, rotas,
written for the purpose, in many workplaces). Negatives: every advice text of
`evals/data/tip_paraphrases.jsonl`. Both are embedded as the registry embeds quotes
(`similarity.action_text`, normalised MiniLM). The threshold is the lowest probability at which
at most 2% of advice is dropped in 5-fold cross-validation; the cross-validated precision and
recall at that threshold are printed (they are the figures to quote, not in-sample ones).

Run: `python -m evals.train_housekeeping [--cache FILE.npz] [--out PATH]`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from companion.features.tips.housekeeping import WEIGHTS, HousekeepingFilter
from companion.features.tips.similarity import action_text
from evals.tips_pairs import PAIRS, cached_embedder, load_pairs

ROOT = Path(__file__).resolve().parent.parent
LINES = ROOT / "evals" / "data" / "housekeeping_lines.jsonl"
MAX_ADVICE_DROPPED = 0.02
C = 1.0


def training_texts() -> tuple[list[str], np.ndarray]:
    """Texts and labels (1 = housekeeping)."""
    house = [json.loads(line)["text"] for line in LINES.read_text().splitlines() if line]
    advice = sorted({p[s] for p in load_pairs(PAIRS) for s in ("a", "b")})
    texts = house + advice
    return texts, np.array([1] * len(house) + [0] * len(advice))


def main(argv: Sequence[str] | None = None) -> None:
    """Train, cross-validate, pick the threshold, save."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from companion.core.settings import Settings
    from companion.retrieval.context import Context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="npz memo of embeddings")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    texts, labels = training_texts()
    embed = cached_embedder(Context(Settings()).embeddings.embed_many, args.cache)
    x = np.asarray(embed([action_text(t) for t in texts]), dtype=np.float64)
    scores = np.zeros(len(texts))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(x, labels):
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
        model.fit(x[train], labels[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
    candidates = sorted(set(np.round(scores, 3)))
    threshold = next(t for t in candidates
                     if np.mean(scores[labels == 0] >= t) <= MAX_ADVICE_DROPPED)
    hit = scores >= threshold
    precision = float(np.sum(hit & (labels == 1)) / max(1, np.sum(hit)))
    recall = float(np.sum(hit & (labels == 1)) / np.sum(labels == 1))
    dropped = float(np.mean(scores[labels == 0] >= threshold))
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(x, labels)
    HousekeepingFilter(model.coef_[0].astype(np.float32), float(model.intercept_[0]),
                       float(threshold)).save(args.out)
    print(json.dumps({"housekeeping": int(labels.sum()), "advice": int((labels == 0).sum()),
                      "threshold": float(threshold), "cv_precision": round(precision, 3),
                      "cv_recall": round(recall, 3), "cv_advice_dropped": round(dropped, 3),
                      "out": str(args.out)}, indent=2))


if __name__ == "__main__":
    main()
