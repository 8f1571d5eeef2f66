"""Why a gold opposed pair is (not) linked: candidates, the tips they joined, the pair's score.

For each gold `contradicts` pair of a corpus (samples layout), after a rebuild:

- each side's occurrences: covered by a stored quote (a candidate that survived extraction and
  the housekeeping filter) or `missed`, and the tip holding it, named by the gold tip that tip
  is the best match of (`tips_eval`'s mapping) or `-`;
- the two sides' best-matching tips: the same tip (the opposed advice was merged), linked, or
  not; and the pair of quotes `contradictions.contradiction_pairs` judges them on (their most
  on-subject pair: raw cosine + lexical bonus), whether it reaches `contradiction_similarity`
  (was the pair compared at all) and its learned opposed-advice probability;
- over every pair of the two sides' stored quotes, the highest learned probability (would any
  opposed quote pair have been called opposed, had those quotes been compared).

Run: `python -m evals.tips_opposed --path DIR [--data DIR]`. A tuning aid: run it on tuning
corpora and the samples only (never on a held-out one, whose figures it would spoil).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evals.tips_eval import _covered, build_samples, covers, load_gold


def _closeness(a: Any, b: Any, lexical: float) -> tuple[float, float, float]:
    """(raw cosine, uniform term overlap, raw + lexical x overlap) of two stored quotes."""
    from companion.features.tips.clustering import term_overlap
    from companion.features.tips.weights import uniform_terms

    raw = float(np.asarray(a.vector) @ np.asarray(b.vector))
    overlap = term_overlap(uniform_terms(a.quote), uniform_terms(b.quote))
    return raw, overlap, raw + lexical * overlap


def _probability(a: Any, b: Any, raw: float, overlap: float) -> float:
    from companion.features.tips.opposition import shipped_model

    return shipped_model().probability(a.quote, b.quote, round(raw, 4), round(overlap, 4))


def diagnose(ctx: Any, root: Path) -> list[dict[str, Any]]:
    """One row per gold opposed pair (fields in the module docstring)."""
    from companion.features.tips.registry import TipRegistry
    from companion.features.tips.store import TipStore
    from companion.features.tips.views import TipViews

    TipRegistry(ctx).rebuild()
    cfg = ctx.settings.tips
    tips = TipViews(ctx).list_tips(include_retired=True)
    stored = TipStore(ctx.catalog).quotes()
    gold = load_gold(root / "gold" / "tips.jsonl")
    by_id = {g.id: g for g in gold}
    best: dict[str, Any] = {}
    for g in gold:
        found = [t for t in tips if _covered(t, g)]
        best[g.id] = max(found, key=lambda t: (len(_covered(t, g)), t.support.sessions),
                         default=None)
    label = {t.id: gid for gid, t in best.items() if t is not None}
    rows = []
    for a, b in sorted({tuple(sorted((g.id, o))) for g in gold for o in g.contradicts}):
        sides: dict[str, list[Any]] = {}
        lines = []
        for gid in (a, b):
            sides[gid] = []
            for occ in by_id[gid].occurrences:
                hit = next((q for q in stored if covers(q.quote, q.session_id, occ)), None)
                if hit is not None:
                    sides[gid].append(hit)
                where = f"{hit.tip_id} ({label.get(hit.tip_id, '-')})" if hit else "missed"
                lines.append(f"{gid} {occ.session[:28]:28} {where:30} {occ.quote[:70]}")
        ta, tb = best[a], best[b]
        row: dict[str, Any] = {"pair": (a, b), "lines": lines,
                               "tips": (ta.id if ta else None, tb.id if tb else None)}
        if ta and tb and ta.id == tb.id:
            row["verdict"] = "same tip"
        elif ta and tb:
            row["verdict"] = "linked" if tb.id in ta.contradicts else "not linked"
            left = [q for q in stored if q.tip_id == ta.id]
            right = [q for q in stored if q.tip_id == tb.id]
            scored = [(_closeness(x, y, cfg.lexical_weight), x, y) for x in left for y in right]
            (raw, overlap, close), x, y = max(scored, key=lambda s: s[0][2])
            row["judged"] = {"closeness": round(close, 3), "compared":
                             close >= cfg.contradiction_similarity,
                             "p": round(_probability(x, y, raw, overlap), 3),
                             "quotes": (x.quote[:60], y.quote[:60])}
        else:
            row["verdict"] = "a side has no tip"
        pairs = [(x, y) for x in sides[a] for y in sides[b]]
        if pairs:
            top = max(((_probability(x, y, *_closeness(x, y, cfg.lexical_weight)[:2]),
                        _closeness(x, y, cfg.lexical_weight)[2], x, y) for x, y in pairs),
                      key=lambda s: s[0])
            row["best_side_pair"] = {"p": round(top[0], 3), "closeness": round(top[1], 3),
                                     "quotes": (top[2].quote[:60], top[3].quote[:60])}
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Print the diagnosis of one corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--data", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_samples(args.data or Path(tmp) / "data", args.path)
        rows = diagnose(ctx, args.path)
        ctx.close()
    for row in rows:
        print(f"{args.path.name} {row['pair']}: {row['verdict']} {row['tips']}")
        for line in row["lines"]:
            print("   ", line)
        for key in ("judged", "best_side_pair"):
            if key in row:
                print(f"    {key}: {row[key]}")


if __name__ == "__main__":
    main()
