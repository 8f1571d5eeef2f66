"""Fits the learned fusion and the answer confidence on QMSum train; reproduces both files.

With `--write`: companion/retrieval/fusion_weights.json, companion/features/ask/
confidence_weights.json (the confidence by `evals.train_confidence`) and
evals/train_fusion_figures.json; without it only the figures, in
evals/results/train_fusion_paired.json (the paired fit of 2026-12-01 was not adopted: equal on
val, and the samples gate's answer hit fell from 0.765 to 0.676).

    python -m evals.train_fusion --path /work/shared/data/qmsum/train --shards 0 1 2 4 \
        --data /work/cache/answers --cache /work/cache/answers

Train is cut into `--every` shards (meetings k, k + every, ... in file-name order); each listed
shard is ingested once with the product's own ingest into its own store (`--data/shard-K`).
Listed shards are then paired (first with second, third with fourth, ...) and each pair's
questions are asked of both stores, candidates merged (`evals.fusion_data.merge`): the merged
corpus holds sibling meetings of one series (a shard alone holds ~one meeting per AMI series,
while val holds whole series: that is where Product questions get lost). Candidates are cached
in `--cache`. Fusion: a ranking model over `companion.retrieval.fusion.FEATURES` (softmax over
each question's candidates, then Platt-scaled), its ridge penalty chosen by out-of-fold
recall@5 (folds by meeting) on the merged shards. Every figure it prints is on train:
in-sample or out-of-fold.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.retrieval.fusion import (
    ADAPTED_WEIGHTS_FILE,
    WEIGHTS_FILE,
    FusionModel,
    fit_listwise,
)
from evals.datasets import load_qmsum
from evals.fusion_data import MergedCatalog, Shard, build, collect, merge, recall_hit, subset
from evals.runner import open_store, single_thread_queries, sync_corpus
from evals.train_confidence import fit_confidence

FOLDS = 5
L2_GRID = (3.0, 10.0, 30.0, 100.0)


def folds_of(data: dict[str, Any]) -> np.ndarray:
    """Fold number per row: whole meetings per fold."""
    meetings = sorted(set(data["meeting"].tolist()))
    fold = {m: i % FOLDS for i, m in enumerate(meetings)}
    return np.array([fold[m] for m in data["meeting"]])


def out_of_fold(data: dict[str, Any], l2: float) -> np.ndarray:
    """Logits of every row from a model fitted without that row's meeting (any columns)."""
    fold = folds_of(data)
    out = np.zeros(len(data["y"]))
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        model = fit_listwise(data["x"][train], data["y"][train], data["qid"][train], l2)
        out[test] = model.logits(data["x"][test])
    return out


def fit_fusion(data: dict[str, Any]) -> tuple[FusionModel, dict[str, Any], np.ndarray]:
    """The fusion model with the best out-of-fold recall@5, and the figures of every choice."""
    figures: dict[str, Any] = {
        "rrf (in-sample: its constants were set on val)": recall_hit(data, data["rrf"])
    }
    best_l2, best, best_oof = L2_GRID[0], -1.0, np.zeros(0)
    for l2 in L2_GRID:
        oof = out_of_fold(data, l2)
        rec, hit = recall_hit(data, oof)
        figures[f"learned l2={l2} (train, out-of-fold)"] = (rec, hit)
        if rec > best:
            best_l2, best, best_oof = l2, rec, oof
    model = fit_listwise(data["x"], data["y"], data["qid"], best_l2)
    figures["chosen l2"] = best_l2
    figures["learned (train, in-sample)"] = recall_hit(data, model.logits(data["x"]))
    return model, figures, best_oof


def use_adapter(path: Path | None) -> None:
    """Search with the query adapter saved at `path` (None: the shipped one)."""
    from companion.retrieval import adapter

    adapter._cached.pop(adapter.ADAPTER_FILE, None)
    if path is not None:
        adapter._cached[adapter.ADAPTER_FILE] = adapter.load_adapter(path)


def open_shards(args: Any) -> tuple[list[Any], list[Shard], list[str]]:
    """Each requested shard ingested (once) into its own store, with its cached candidates."""
    ctxs: list[Any] = []
    shards: list[Shard] = []
    meetings: list[str] = []
    for k in args.shards:
        folder = subset(args.path, args.every, args.cache / f"train-subset-{k}", k)
        dataset = load_qmsum(folder, 0)
        shared = ctxs[0].embeddings.base if ctxs else None
        ctx = open_store(Settings(), args.data / f"shard-{k}", shared, True)
        if not args.no_sync:
            print(f"shard {k}:", sync_corpus(ctx, dataset), flush=True)
        questions = [q for q in dataset.questions if q.answerable]
        use_adapter(args.adapters.get(str(k)))
        with single_thread_queries():  # one question at a time: see the runner
            shards.append(collect(ctx, str(k), questions, args.cache))
        ctxs.append(ctx)
        meetings += sorted(s.id for s in dataset.sessions)
    return ctxs, shards, meetings


def pair_up(
    ctxs: list[Any], shards: list[Shard], cache: Path, adapters: dict[str, Path] | None = None
) -> tuple[list[Shard], list[MergedCatalog], list[Any]]:
    """Merged shards (each pair's questions over both stores), their catalogs and askers."""
    merged: list[Shard] = []
    catalogs: list[MergedCatalog] = []
    askers: list[Any] = []
    for i in range(0, len(shards) - 1, 2):
        for a, b in ((i, i + 1), (i + 1, i)):
            name = f"{shards[a].name}-on-{shards[b].name}"
            use_adapter((adapters or {}).get(shards[a].name))
            with single_thread_queries():
                cross = collect(ctxs[b], name, shards[a].questions, cache)
            cands = [
                merge([own, other])
                for own, other in zip(shards[a].candidates, cross.candidates, strict=True)
            ]
            merged.append(Shard(f"{shards[a].name}+{shards[b].name}", shards[a].questions, cands))
            catalogs.append(MergedCatalog([ctxs[a].catalog, ctxs[b].catalog]))
            pair = (ctxs[a], ctxs[b])
            askers.append(
                lambda text, pair=pair: merge([c.retriever.candidates(text)[0] for c in pair])
            )
    return merged, catalogs, askers


def own_asker(ctx: Any) -> Callable[[str], list[Any]]:
    """The candidates of any question over one shard's own store."""
    return lambda text: list(ctx.retriever.candidates(text)[0])


def main(argv: list[str] | None = None) -> None:
    """Run every stage; print the figures (in-sample or out-of-fold on train)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", type=Path, default=Path("/work/shared/data/qmsum/train"))
    parser.add_argument("--every", type=int, default=6)
    parser.add_argument("--shards", type=int, nargs="+", default=[0, 1, 2, 4])
    parser.add_argument("--data", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--max-answerable-abstention", type=float, default=0.02)
    parser.add_argument(
        "--write", action="store_true", help="replace the shipped weights (default: figures only)"
    )
    parser.add_argument("--no-sync", action="store_true", help="use the shard stores as they are")
    parser.add_argument(
        "--single", action="store_true",
        help="fit on each shard over its own store (the 2026-12-01 protocol), not on pairs",
    )
    parser.add_argument(
        "--candidates-only", action="store_true",
        help="ingest the shards and cache every question's candidates; fit nothing",
    )
    parser.add_argument(
        "--adapter", nargs="*", default=[], metavar="K=PATH",
        help="with COMPANION_RETRIEVAL__QUERY_ADAPTER=true: the adapter shard K's questions are "
        "searched with (fitted without their series: evals.train_adapter --without-shards)",
    )
    args = parser.parse_args(argv)
    args.adapters = {k: Path(v) for k, v in (a.split("=", 1) for a in args.adapter)}
    ctxs, shards, meetings = open_shards(args)
    try:
        if args.single:
            merged, catalogs = shards, [ctx.catalog for ctx in ctxs]
            askers = [own_asker(ctx) for ctx in ctxs]
        else:
            merged, catalogs, askers = pair_up(ctxs, shards, args.cache, args.adapters)
        if args.candidates_only:
            print(f"candidates cached in {args.cache}", flush=True)
            return
        use_adapter(None)  # off-topic questions (never in train) meet the shipped adapter
        single = build(shards)
        data = build(merged)
        model, figures, oof = fit_fusion(data)
        figures["single shards: rrf"] = recall_hit(single, single["rrf"])
        figures["single shards: learned (train, in-sample)"] = recall_hit(
            single, model.logits(single["x"])
        )
        kind = "single" if args.single else "paired"
        out = Path(__file__).parent / "results" / f"train_fusion_{kind}.json"
        if args.write:
            adapted = Settings().retrieval.query_adapter
            weights = ADAPTED_WEIGHTS_FILE if adapted else WEIGHTS_FILE
            weights.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
            figures_name = "train_fusion_figures" + ("_adapted" if adapted else "")
            out = Path(__file__).with_name(f"{figures_name}.json")
        n_questions = len(data["n_gold"])
        print(json.dumps({"questions": n_questions, "fusion": figures}, indent=1), flush=True)
        with single_thread_queries():
            conf = fit_confidence(
                merged,
                catalogs,
                askers,
                data,
                oof,
                args.max_answerable_abstention,
                model,
                args.write,
            )
        print(json.dumps({"confidence": conf}, indent=1))
        summary = {
            "note": f"QMSum train shards, {kind}; every figure is in-sample or out-of-fold on "
            "train",
            "focus_query": Settings().retrieval.focus_query,
            "shards": args.shards,
            "meetings": meetings,
            "questions": n_questions,
            "fusion": figures,
            "confidence": conf,
        }
        out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    finally:
        for ctx in ctxs:
            ctx.close()


if __name__ == "__main__":
    main()
