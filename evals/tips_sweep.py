"""Sweep the clustering knobs end to end on the tuning corpora (never the held-out one).

Each variant rebuilds the registry of every tuning corpus (embeddings memoised) and is scored on
what a user sees: the top five's advice given in 3+ sessions with its exact session count, the
support error over all gold tips, and purity. Prints one JSON row per variant, best last.

Run: `python -m evals.tips_sweep --data DIR` (DIR/<corpus> ingests are reused).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from companion.retrieval.context import Context
from evals.tips_eval import build_samples, run

ROOT = Path(__file__).resolve().parent.parent
TUNING = ("lab", "ward", "oncall", "staffroom", "kitchen")  # never garage, planning, zoo, hotel


def score(reports: Sequence[dict[str, Any]]) -> float:
    """Higher is better: top-5 exact 3+ counts and recall, less support error, purity."""
    n = len(reports)
    exact = sum(r["top"]["support_exact_3plus"] for r in reports) / n
    recall = sum(r["top"]["recall_3plus"] for r in reports) / n
    mae = sum(r["support_sessions_mae"] for r in reports) / n
    purity = sum(r["purity"] for r in reports) / n
    return 2 * exact + recall - 0.5 * mae + purity


def main(argv: Sequence[str] | None = None) -> None:
    """Print each variant's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--grid", default="{}", help="JSON: knob -> list of values")
    args = parser.parse_args(argv)
    grid: dict[str, list[Any]] = json.loads(args.grid)
    contexts = {n: build_samples(args.data / n, ROOT / "evals" / "data" / "dev" / n)
                for n in TUNING}
    rows = []
    for values in itertools.product(*grid.values()):
        update = dict(zip(grid, values, strict=True))
        reports = []
        for name, ctx in contexts.items():
            settings = ctx.settings.model_copy(
                update={"tips": ctx.settings.tips.model_copy(update=update)})
            trial = Context(settings, embeddings=ctx.embeddings)
            reports.append(asdict(run(trial, root=ROOT / "evals" / "data" / "dev" / name)))
            trial.close()
        row = {**update, "score": round(score(reports), 3),
               "exact3": [r["top"]["support_exact_3plus"] for r in reports],
               "recall3": [r["top"]["recall_3plus"] for r in reports],
               "purity": [r["purity"] for r in reports],
               "contra": [r["contradiction_recall"] for r in reports],
               "links": [f'{r["links_correct"]}/{r["links"]}' for r in reports]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    for row in sorted(rows, key=lambda r: r["score"])[-5:]:
        print("BEST", json.dumps(row))


if __name__ == "__main__":
    main()
