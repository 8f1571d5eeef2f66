"""Where a corpus's quotes went: every placement join and every merge, with gold labels.

`evals.tips_opposed` says where an opposed pair's quotes ended up; this says how they got
there. During one rebuild of the corpus's registry it prints

- each quote that joined a tip at placement (`clustering.TipIndex.match`): the gold tip of the
  quote and of every quote already in the tip (`-`: not a gold occurrence), with each link's
  closeness (centred cosine + lexical bonus), centred cosine and IDF term overlap;
- each merge of the after-session pass (`merging.merges`): the quotes of the tip merged away
  (`G`) and of the survivor (`S`), with their gold tips.

A join or merge is marked `OK` when the quote (or the merged tip) shares a gold tip with the
tip it went to, `BAD` when it does not, `HK` when neither side holds a gold occurrence.

Run: `python -m evals.tips_trace --path DIR [--data DIR] [--bad]` (tuning corpora and samples
only: never on a held-out one). `--bad` prints only the BAD joins and merges.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.tips_eval import GoldTip, build_samples, covers, load_gold


def _labeller(gold: Sequence[GoldTip]) -> Callable[[str, str], str]:
    def label(quote: str, session: str) -> str:
        for g in gold:
            if any(covers(quote, session, occ) for occ in g.occurrences):
                return g.id
        return "-"

    return label


def _verdict(mine: set[str], theirs: set[str]) -> str:
    if (mine & theirs) - {"-"}:
        return "OK "
    return "HK " if (mine | theirs) <= {"-"} else "BAD"


def trace(ctx: Any, root: Path, bad_only: bool = False) -> list[str]:
    """The trace lines of one rebuild (fields in the module docstring)."""
    from companion.features.tips import clustering, rebuild
    from companion.features.tips.registry import TipRegistry

    label = _labeller(load_gold(root / "gold" / "tips.jsonl"))
    lines: list[str] = []
    match, merges = clustering.TipIndex.match, rebuild.merges

    def traced_match(index: Any, quote: str, vector: Any, strength: float | None = None,
                     session: str = "") -> tuple[str, float] | None:
        result = match(index, quote, vector, strength, session)
        if result is None:
            return None
        tip = index.resolve(result[0])
        cosines = index.closeness(vector)
        terms = index.weigh(quote)
        w = index.settings.lexical_weight
        rows = index._rows[tip]
        members = [index._members[i] for i in rows]
        theirs = [label(m.quote, m.session) for m in members]
        mine = label(quote, session)
        verdict = _verdict({mine}, set(theirs))
        if bad_only and verdict != "BAD":
            return result
        lines.append(f"JOIN  {verdict} {mine:5} {quote[:80]!r} -> {tip}")
        for i, m, g in zip(rows, members, theirs, strict=True):
            overlap = clustering.term_overlap(terms, index._terms(i))
            cosine = float(cosines[i])
            lines.append(f"      {cosine + w * overlap:6.3f} cos {cosine:6.3f}"
                         f" overlap {overlap:4.2f} {g:5} {m.quote[:70]!r}")
        return result

    def traced_merges(members: Sequence[Any], settings: Any, weigh: Any,
                      keep: Callable[[str], bool] = lambda _tip: False) -> dict[str, str]:
        out: dict[str, str] = merges(members, settings, weigh, keep)
        for gone, survivor in out.items():
            sides = {t: [m for m in members if m.tip_id == t] for t in (gone, survivor)}
            labels = {t: [label(m.quote, m.session) for m in ms] for t, ms in sides.items()}
            verdict = _verdict(set(labels[gone]), set(labels[survivor]))
            if bad_only and verdict != "BAD":
                continue
            lines.append(f"MERGE {verdict} {gone} -> {survivor}")
            for t, mark in ((gone, "G"), (survivor, "S")):
                for m, g in zip(sides[t], labels[t], strict=True):
                    lines.append(f"      {mark} {g:5} {m.quote[:80]!r}")
        return out

    clustering.TipIndex.match = traced_match  # type: ignore[method-assign,assignment]
    rebuild.merges = traced_merges
    try:
        TipRegistry(ctx).rebuild()
    finally:
        clustering.TipIndex.match = match  # type: ignore[method-assign]
        rebuild.merges = merges
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Print the trace of one corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--bad", action="store_true", help="only joins and merges marked BAD")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_samples(args.data or Path(tmp) / "data", args.path)
        try:
            lines = trace(ctx, args.path, args.bad)
        finally:
            ctx.close()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
