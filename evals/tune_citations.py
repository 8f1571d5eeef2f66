"""The answer-hit / citation-precision trade-off of the extractive composer, on QMSum train.

    python -m evals.tune_citations [--cache /work/cache/answers2]

Reads the paired train shards' cached candidates (`evals/train_fusion.py` writes them), ranks
them with out-of-fold fusion logits (folds by meeting, the shipped penalty), diversifies the
first places as retrieval does (`diversify` setting) and composes every
question's answer under each composer setting of `SETTINGS`: answer hit (a gold span among the
first five citations), citation precision (citations inside a gold span) and citations per
answer. Every figure is on train, from out-of-fold rankings; the composer's own knobs are chosen
here, so the chosen row is in-sample. Writes evals/results/tune_citations.json.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path
from typing import Any

from companion.storage.catalog import Catalog
from evals.datasets import load_qmsum
from evals.fusion_data import MergedCatalog, Shard, build, merge
from evals.train_confidence import answer_figures, oof_retrievals
from evals.train_fusion import out_of_fold

PAIRS = (("0", "1"), ("1", "0"), ("2", "4"), ("4", "2"))
SETTINGS: dict[str, dict[str, Any]] = {
    "shipped (5 sentences, 1 per chunk, ranked by probability)": {},
    "diversify 1.0": {"diversify": 1.0},
    "diversify 2.0": {"diversify": 2.0},
    "diversify 4.0": {"diversify": 4.0},
    "diversify 2.0, quoting in retrieval order": {"diversify": 2.0, "by_probability": False},
    "4 sentences": {"max_sentences": 4},
    "3 sentences": {"max_sentences": 3},
    "2 per chunk": {"per_chunk": 2},
    "min_relative 0.3": {"min_relative": 0.3},
    "require_match": {"require_match": True},
    "reply_overlap 0 (before)": {"reply_overlap": 0.0},
}


def main(argv: list[str] | None = None) -> None:
    """Print and save the figures of every composer setting."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/answers2"))
    parser.add_argument("--candidates", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--l2", type=float, default=10.0)
    parser.add_argument("--only", nargs="*", help="names of SETTINGS to run (default all)")
    args = parser.parse_args(argv)
    shards, catalogs = load_pairs_from(args.candidates, args.cache)
    data = build(shards)
    oof = out_of_fold(data, args.l2)
    out: dict[str, Any] = {"note": "QMSum train, paired shards; out-of-fold rankings"}
    for name, composer in SETTINGS.items():
        if args.only and name not in args.only:
            continue
        composer = dict(composer)
        penalty = composer.pop("diversify", None)
        retrievals = oof_retrievals(shards, data, oof, penalty)
        figures, _ = answer_figures(catalogs, shards, retrievals, **composer)
        out[name] = {**figures, "chunk recall@5 / hit@5": _chunk_recall(shards, retrievals)}
        print(name, out[name], flush=True)
    path = Path(__file__).parent / "results" / "tune_citations.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def _chunk_recall(shards: list[Shard], retrievals: list[Any]) -> list[float]:
    """Recall@5 of gold items and hit@5 of the retrievals' first five chunks."""
    recalls, hit_ = [], []
    i = 0
    for shard in shards:
        for q in shard.questions:
            top = retrievals[i].chunks[:5]
            i += 1
            found = {
                k for k, item in enumerate(q.gold) for c in top
                if any(s.overlaps(c.session_id, c.turn_start, c.turn_end) for s in item)
            }
            recalls.append(len(found) / len(q.gold))
            hit_.append(bool(found))
    return [round(sum(recalls) / len(recalls), 4), round(sum(hit_) / len(hit_), 4)]


def load_pairs_from(candidates: Path, stores: Path) -> tuple[list[Shard], list[MergedCatalog]]:
    """`load_pairs` with candidates and stores in different folders."""
    shards, catalogs = [], []
    for a, b in PAIRS:
        questions = [q for q in load_qmsum(stores / f"train-subset-{a}", 0).questions
                     if q.answerable]
        with (candidates / f"candidates-{a}.pkl").open("rb") as f:
            own = pickle.load(f)
        with (candidates / f"candidates-{a}-on-{b}.pkl").open("rb") as f:
            cross = pickle.load(f)
        cands = [merge([o, c]) for o, c in zip(own, cross, strict=True)]
        shards.append(Shard(f"{a}+{b}", questions, cands))
        catalogs.append(MergedCatalog([
            Catalog(stores / f"shard-{k}" / "catalog.sqlite3") for k in (a, b)
        ]))
    return shards, catalogs


if __name__ == "__main__":
    main()
