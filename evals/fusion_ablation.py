"""Extra fusion features tried out-of-fold on the cached QMSum train candidates (no store needed).

Reads the candidates `evals.train_fusion` cached (`--cache`: `candidates-K.pkl`, and for pairs
`candidates-A-on-B.pkl`), merges pairs the way it does (or, with `--single`, keeps each shard
over its own store), and reports recall@5 / hit@5 of the listwise fusion over the shipped
`fusion.FEATURES` and over them plus term-coverage columns (below), out-of-fold by meeting
(five folds), for each ridge penalty of `--l2`. Every figure is on train.

Term coverage (tried in issue 17's third pass, not adopted: `evals/README.md`): the share of
the question's content terms, each weighted by log(n / df) over the question's candidates,
found in the chunk (`cover`), in the chunk with its adjacent candidates (`nb_cover`), and in
any candidate of its session (`sess_cover`, also relative to the best session).

    python -m evals.fusion_ablation --single --shards 0 1 --cache /work/cache/answers-focus \
        --l2 10 30 100 300 --out evals/results/fusion_ablation.json
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import content_terms
from evals.datasets import load_qmsum
from evals.fusion_data import Shard, build, merge, recall_hit
from evals.train_fusion import L2_GRID, out_of_fold

COVERAGE = ("cover", "nb_cover", "sess_cover", "sess_cover_rel")
SETS: dict[str, tuple[str, ...]] = {
    "shipped features": (),
    "+ term coverage (chunk, window, session)": COVERAGE,
    "+ chunk and window coverage": ("cover", "nb_cover"),
    "+ session coverage": ("sess_cover", "sess_cover_rel"),
}


def coverage(question: str, candidates: Sequence[Any]) -> np.ndarray:
    """The `COVERAGE` columns of one question's candidates."""
    q_terms = set(content_terms(question))
    n = len(candidates)
    terms = [set(content_terms(c.text)) & q_terms for c in candidates]
    df: dict[str, int] = {}
    for found in terms:
        for t in found:
            df[t] = df.get(t, 0) + 1
    weight = {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in q_terms}
    total = sum(weight.values()) or 1.0

    def share(found: set[str]) -> float:
        return sum(weight[t] for t in found) / total

    at = {(c.session_id, c.ordinal): i for i, c in enumerate(candidates)}
    by_session: dict[str, set[str]] = {}
    for c, found in zip(candidates, terms, strict=True):
        by_session.setdefault(c.session_id, set()).update(found)
    sess = {s: share(f) for s, f in by_session.items()}
    best = max(sess.values(), default=0.0)
    rows = []
    for i, c in enumerate(candidates):
        around = set(terms[i])
        for d in (-1, 1):
            j = at.get((c.session_id, c.ordinal + d))
            if j is not None:
                around |= terms[j]
        s = sess[c.session_id]
        rows.append((share(terms[i]), share(around), s, s - best))
    return np.array(rows, dtype=np.float64).reshape(-1, len(COVERAGE))


def with_coverage(shards: list[Shard]) -> np.ndarray:
    """The `COVERAGE` columns of every candidate, in `fusion_data.build`'s row order."""
    blocks = [
        coverage(" ".join(q.question.split()), chunks)
        for shard in shards
        for q, chunks in zip(shard.questions, shard.candidates, strict=True)
    ]
    return np.vstack(blocks) if blocks else np.zeros((0, len(COVERAGE)))


def _load(path: Path) -> list[list[Any]]:
    with path.open("rb") as f:
        return list(pickle.load(f))


def _questions(cache: Path, k: int) -> list[Any]:
    return [q for q in load_qmsum(cache / f"train-subset-{k}", 0).questions if q.answerable]


def merged_shards(shards: list[int], cache: Path) -> list[Shard]:
    """Each pair's questions over both shards' stores, from the cached candidates."""
    out = []
    for i in range(0, len(shards) - 1, 2):
        for a, b in ((shards[i], shards[i + 1]), (shards[i + 1], shards[i])):
            own = _load(cache / f"candidates-{a}.pkl")
            cross = _load(cache / f"candidates-{a}-on-{b}.pkl")
            cands = [merge([x, y]) for x, y in zip(own, cross, strict=True)]
            out.append(Shard(f"{a}+{b}", _questions(cache, a), cands))
    return out


def single_shards(shards: list[int], cache: Path) -> list[Shard]:
    """Each shard's questions over its own store only (~27 meetings, about one per series)."""
    return [
        Shard(str(k), _questions(cache, k), _load(cache / f"candidates-{k}.pkl")) for k in shards
    ]


def main(argv: list[str] | None = None) -> None:
    """Print (and with `--out` write) out-of-fold recall@5 / hit@5 per feature set and l2."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--l2", type=float, nargs="+", default=list(L2_GRID))
    parser.add_argument(
        "--single", action="store_true", help="each shard over its own store (not paired)"
    )
    args = parser.parse_args(argv)
    shards = (single_shards if args.single else merged_shards)(args.shards, args.cache)
    data = build(shards)
    extra = with_coverage(shards)
    base = data["x"]
    figures: dict[str, Any] = {"rrf": [round(v, 4) for v in recall_hit(data, data["rrf"])]}
    for name, added in SETS.items():
        data["x"] = np.hstack([base, extra[:, [COVERAGE.index(a) for a in added]]])
        figures[name] = {
            f"l2={l2}": [round(v, 4) for v in recall_hit(data, out_of_fold(data, l2))]
            for l2 in args.l2
        }
        print(name, figures[name], flush=True)
    result = {
        "note": "QMSum train, " + ("single" if args.single else "paired")
        + " shards; recall@5 / hit@5 out-of-fold by meeting",
        "shards": args.shards,
        "cache": str(args.cache),
        "questions": len(data["n_gold"]),
        "figures": figures,
    }
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
