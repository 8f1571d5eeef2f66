"""Why a gold tip's session count is wrong: missed quotes, paraphrases split off, over-merges.

For each gold tip of a corpus (samples layout) and each of its occurrences, after a rebuild:

- `missed`: no stored quote covers it (the detector or the housekeeping filter dropped it);
- `split`: a quote covers it, but in another tip than the one holding most of the gold tip's
  occurrences (a paraphrase the clustering kept apart);
- `held`: covered by the gold tip's main tip.

And for the main tip: quotes that cover no occurrence of this gold tip (`over-merged`).
A gold tip's session count is under-counted by the sessions only `missed` or `split` quotes give.

Run: `python -m evals.tips_diagnose --path DIR [--data DIR]`. A tuning aid: run it on tuning
corpora only (never on a held-out one, whose figures it would spoil).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.tips_eval import _covered, build_samples, covers, load_gold


def diagnose(ctx: Any, root: Path) -> dict[str, Any]:
    """Per gold tip: occurrence verdicts, session-count error and its causes."""
    from companion.features.tips.registry import TipRegistry
    from companion.features.tips.views import TipViews

    TipRegistry(ctx).rebuild()
    tips = TipViews(ctx).list_tips(include_retired=True)
    gold = load_gold(root / "gold" / "tips.jsonl")
    causes: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for g in gold:
        main = max(tips, key=lambda t: len(_covered(t, g)), default=None)
        held = _covered(main, g) if main else set()
        occ_rows = []
        for i, occ in enumerate(g.occurrences):
            owner = next((t for t in tips if any(covers(q.quote, q.session_id, occ)
                                                   for q in t.quotes)), None)
            verdict = "held" if i in held else ("split" if owner else "missed")
            occ_rows.append({"session": occ.session, "verdict": verdict,
                             "tip": owner.id if owner else None, "quote": occ.quote})
        true_sessions = len({o.session for o in g.occurrences})
        got = main.support.sessions if main else 0
        held_sessions = {g.occurrences[i].session for i in held}
        lost = {o["session"] for o in occ_rows if o["session"] not in held_sessions}
        for s in lost:
            kinds = {o["verdict"] for o in occ_rows if o["session"] == s}
            causes["split" if "split" in kinds else "missed"] += 1
        extra = [q.quote for q in (main.quotes if main else [])
                 if not any(covers(q.quote, q.session_id, o) for o in g.occurrences)]
        extra_sessions = ({q.session_id for q in main.quotes} - held_sessions) if main else set()
        causes["over-merged"] += len(extra_sessions)
        rows.append({"gold": g.id, "true": true_sessions, "got": got, "tip": main.id if main
                     else None, "occurrences": occ_rows, "over_merged": extra})
    return {"causes": dict(causes), "tips": rows}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the diagnosis of one corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--data", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_samples(args.data or Path(tmp) / "data", args.path)
        out = diagnose(ctx, args.path)
        ctx.close()
    print(f"{args.path.name}: sessions lost or added per cause {out['causes']}")
    for row in out["tips"]:
        print(f"  {row['gold']} sessions {row['got']}/{row['true']} in {row['tip']}")
        for o in row["occurrences"]:
            if o["verdict"] != "held":
                print(f"    {o['verdict']:6} {o['session']} [{o['tip']}] {o['quote'][:90]}")
        for q in row["over_merged"]:
            print(f"    extra  {q[:100]}")


if __name__ == "__main__":
    main()
