"""Session routing by words, measured on QMSum train: the fusion with and without `sess_lex_*`.

Issue 17, fourth pass. Most recall@5 misses over a corpus with sibling meetings (shard pairs, as
val has whole AMI series) are a wrong session: another meeting holds the most fused mass. The
two routing features (`fusion.session_bm25`: each session read as one document of chunks) are
compared with the 16 features before them on the cached candidates of `evals.train_fusion`
(`--cache`, with the shard stores in `--cache/shard-K`: the routing needs their catalogs):

- fitted on shard 0 over its own store (the shipped protocol, l2 chosen out-of-fold on it),
  reported on shard 1 over its own store and beside shard 0 (its questions over both stores);
- each shard fitted, the other reported (single stores), per l2;
- out-of-fold by meeting (five folds) on single shards and on pairs, per l2.

Every figure is on train; none is in-sample.

    python -m evals.session_routing --cache /work/cache/answers \
        --out evals/results/session_routing.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from companion.retrieval.fusion import FEATURES, fit_listwise
from companion.storage.catalog import Catalog
from evals.fusion_ablation import merged_shards, single_shards
from evals.fusion_data import add_session_lexical, build, recall_hit
from evals.train_fusion import fit_fusion, out_of_fold

ROUTING = ("sess_lex_rel", "sess_lex_logrank")
SETS = {
    "without session routing": [i for i, f in enumerate(FEATURES) if f not in ROUTING],
    "with session routing (shipped)": list(range(len(FEATURES))),
}


def _rounded(pair: tuple[float, float]) -> list[float]:
    return [round(v, 4) for v in pair]


def _questions(data: dict[str, Any], mask: np.ndarray) -> dict[str, Any]:
    """The rows of some questions, renumbered."""
    kept = np.unique(data["qid"][mask])
    renumber = {q: i for i, q in enumerate(kept)}
    out = {k: data[k][mask] for k in ("x", "y", "rrf", "item", "meeting")}
    out["qid"] = np.array([renumber[q] for q in data["qid"][mask]])
    out["n_gold"] = data["n_gold"][kept]
    return out


def main(argv: list[str] | None = None) -> None:
    """Print and write recall@5 / hit@5 with and without the routing features."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--l2", type=float, nargs="+", default=[10.0, 30.0, 100.0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    catalogs = {k: Catalog(args.cache / f"shard-{k}" / "catalog.sqlite3") for k in (0, 1)}
    single = single_shards([0, 1], args.cache)
    for shard in single:
        add_session_lexical(shard, [catalogs[int(shard.name)]])
    pairs = merged_shards([0, 1], args.cache)
    for shard in pairs:
        add_session_lexical(shard, [catalogs[0], catalogs[1]])
    one_beside_zero = build([pairs[1]])  # shard 1's questions over both stores
    own = build(single)
    paired = build(pairs)
    shard_of = np.concatenate(
        [[k] * len(chunks) for k, s in enumerate(single) for chunks in s.candidates]
    )
    full = {id(d): d["x"] for d in (own, paired, one_beside_zero)}
    figures: dict[str, Any] = {}
    for name, cols in SETS.items():
        for d in (own, paired, one_beside_zero):
            d["x"] = full[id(d)][:, cols]
        zero, one = _questions(own, shard_of == 0), _questions(own, shard_of == 1)
        model, fit, _ = fit_fusion(zero)
        row: dict[str, Any] = {
            "fitted on shard 0 (l2 by its out-of-fold recall@5)": fit["chosen l2"],
            "shard 1 over its own store": _rounded(recall_hit(one, model.logits(one["x"]))),
            "shard 1 beside shard 0": _rounded(
                recall_hit(one_beside_zero, model.logits(one_beside_zero["x"]))
            ),
        }
        for l2 in args.l2:
            cross = {}
            for a, b, fit_on, test in ((0, 1, zero, one), (1, 0, one, zero)):
                m = fit_listwise(fit_on["x"], fit_on["y"], fit_on["qid"], l2)
                cross[f"fit {a}, report {b}"] = _rounded(recall_hit(test, m.logits(test["x"])))
            row[f"l2={l2}"] = {
                **cross,
                "out-of-fold, single shards": _rounded(recall_hit(own, out_of_fold(own, l2))),
                "out-of-fold, pairs": _rounded(recall_hit(paired, out_of_fold(paired, l2))),
            }
        figures[name] = row
        print(name, json.dumps(row), flush=True)
    result = {
        "note": "QMSum train shards 0 and 1; recall@5 / hit@5; every figure out-of-sample",
        "cache": str(args.cache),
        "questions": {"single": len(own["n_gold"]), "pairs": len(paired["n_gold"])},
        "figures": figures,
    }
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
