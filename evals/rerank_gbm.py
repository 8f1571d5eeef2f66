"""A gradient-boosted chunk reranker over the fusion features, on QMSum train (tried; not adopted).

    python -m evals.rerank_gbm [--candidates DIR] [--stores DIR]

The paired train shards' candidates (`evals/train_fusion.py` caches them) with
`companion.retrieval.fusion.FEATURES`; recall@5 / hit@5 out-of-fold (five folds, whole meetings
per fold, as the fusion's) of scikit-learn's `HistGradientBoostingClassifier` (pointwise)
beside the shipped listwise logistic fusion refitted the same way and RRF. Writes
evals/results/rerank_gbm.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from evals.fusion_data import build, recall_hit
from evals.train_fusion import FOLDS, folds_of, out_of_fold
from evals.tune_citations import load_pairs_from

GBM_GRID = ((3, 100), (None, 200))  # (max_depth, max_iter)


def main(argv: list[str] | None = None) -> None:
    """Print and save recall@5 / hit@5 of every reranker, out-of-fold on train."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--candidates", type=Path, default=Path("/work/cache/answers"))
    args = parser.parse_args(argv)
    shards, _ = load_pairs_from(args.candidates, args.stores)
    data = build(shards)
    out: dict[str, object] = {
        "note": "QMSum train, paired shards; [recall@5, hit@5], out-of-fold by meeting",
        "questions": len(data["n_gold"]),
        "rrf": recall_hit(data, data["rrf"]),
    }
    for l2 in (30.0, 100.0):
        out[f"listwise logistic l2={l2}"] = recall_hit(data, out_of_fold(data, l2))
    fold = folds_of(data)
    for depth, iters in GBM_GRID:
        oof = np.zeros(len(data["y"]))
        for f in range(FOLDS):
            train, test = fold != f, fold == f
            model = HistGradientBoostingClassifier(
                max_depth=depth, max_iter=iters, learning_rate=0.05, random_state=0
            )
            model.fit(data["x"][train], data["y"][train])
            oof[test] = model.predict_proba(data["x"][test])[:, 1]
        out[f"gbm max_depth={depth} max_iter={iters}"] = recall_hit(data, oof)
    for name, value in out.items():
        print(name, value, flush=True)
    path = Path(__file__).parent / "results" / "rerank_gbm.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
