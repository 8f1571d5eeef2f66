"""Tips against the sample gold: precision, recall, support counts, contradictions; calibration.

Matching, defined once here:

- An extracted quote *covers* a gold occurrence when both come from the same session and, after
  `normalise` (case, whitespace, typographic quotes), one contains the other or they share a
  common run of at least 60% of the shorter one's characters.
- An extracted tip *matches* a gold tip when at least one of its quotes covers one of the gold
  tip's occurrences; it is attributed to the gold tip whose occurrences it covers most.
- Precision: share of ranked tips (support >= 2 sessions, i.e. what the registry presents as
  top tips; the gold only holds tips given in two or more sessions) that match a gold tip.
  `precision_all` counts every tip, singletons included.
- Recall: share of gold tips matched by at least one extracted tip.
- Support accuracy: for each gold tip, the extracted tip covering most of its occurrences;
  its session (speaker) count is right when it equals the gold's distinct sessions (people,
  aliases resolved through people.yaml). Reported as exact-match rate and mean absolute error.
- Contradiction recall: share of gold contradictory pairs whose best-matching tips are linked.
  A gold tip's best-matching tip is the extracted tip covering most of its occurrences (ties:
  more sessions), as for support accuracy; this maps each gold tip to at most one tip, and
  through it maps each tip to the (possibly empty) set of gold tips it is the best match of.
- Contradiction precision: of the links the product makes between two tips (`contradicts`,
  each unordered pair once, over every tip, retired included), the share that are correct. A link
  is correct when one tip is the best match of a gold tip A, the other the best match of a gold
  tip B, and A and B are a gold `contradicts` pair: the mapping recall uses, so every pair recall
  counts as linked is a correct link. Links to tips that match no gold tip (or match one only as
  a fragment, not as its best match) are wrong. Reported with its counts (`links`,
  `links_correct`); undefined (None, printed "n/a") when the product makes no link.
- Purity: of the ranked tips' quotes that cover some gold occurrence, the share that cover
  their tip's majority gold tip (a tip that lumps different advice together scores low).

The top five as a user sees them are scored in `evals.tips_top` (top-k precision, recall of
the advice given in 3+ sessions, their support, verbatim quotes).

Any corpus in the samples layout works: `DIR/sessions/`, `DIR/gold/tips.jsonl` and, when
present, `DIR/people.yaml` (speaker aliases).

Run: `python -m evals.tips_eval [--path DIR] [--data DIR] [--calibrate]`, or
`companion eval --dataset tips --path DIR`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from companion.core.grounding import normalise
from companion.core.settings import Settings, TipsSettings
from companion.features.tips.models import Tip
from companion.retrieval.context import Context

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = SAMPLES / "gold" / "tips.jsonl"
PEOPLE = SAMPLES / "people.yaml"
MIN_COMMON = 0.6


@dataclass(frozen=True)
class GoldOccurrence:
    """One planted occurrence of a gold tip."""

    session: str
    speaker: str
    quote: str


@dataclass(frozen=True)
class GoldTip:
    """A distinct tip of the gold with every occurrence."""

    id: str
    tip: str
    topic: str
    occurrences: tuple[GoldOccurrence, ...]
    contradicts: tuple[str, ...]


def load_gold(path: Path = GOLD) -> list[GoldTip]:
    """The gold tips of `samples/gold/tips.jsonl`."""
    tips: list[GoldTip] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        tips.append(
            GoldTip(
                id=row["id"], tip=row["tip"], topic=row["topic"],
                occurrences=tuple(GoldOccurrence(**o) for o in row["occurrences"]),
                contradicts=tuple(row.get("contradicts", [])),
            )
        )
    return tips


def load_aliases(path: Path = PEOPLE) -> dict[str, str]:
    """Speaker label -> person id, from a people directory (none when the file is missing)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {alias: p["id"] for p in data["people"] for alias in [p["name"], *p["aliases"]]}


def covers(quote: str, session: str, occ: GoldOccurrence) -> bool:
    """True when an extracted quote from `session` covers the gold occurrence (see above)."""
    if session != occ.session:
        return False
    a, b = normalise(quote), normalise(occ.quote)
    if a in b or b in a:
        return True
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= MIN_COMMON * min(len(a), len(b))


def _covered(tip: Tip, gold: GoldTip) -> set[int]:
    """Indexes of the gold tip's occurrences that the tip's quotes cover."""
    return {
        i for i, occ in enumerate(gold.occurrences)
        if any(covers(q.quote, q.session_id, occ) for q in tip.quotes)
    }


@dataclass
class TipsReport:
    """The figures of one evaluation."""

    tips: int
    ranked_tips: int
    precision: float
    precision_all: float
    recall: float
    occurrence_precision: float
    occurrence_recall: float
    support_sessions_exact: float
    support_speakers_exact: float
    support_sessions_mae: float
    support_speakers_mae: float
    contradiction_recall: float
    contradiction_precision: float | None
    links: int
    links_correct: int
    purity: float
    per_gold: list[dict[str, Any]] = field(default_factory=list)
    top: dict[str, Any] = field(default_factory=dict)


def evaluate(tips: Sequence[Tip], gold: Sequence[GoldTip], aliases: dict[str, str]) -> TipsReport:
    """Score extracted tips against the gold (definitions in the module docstring)."""
    coverage = {(t.id, g.id): _covered(t, g) for t in tips for g in gold}
    matched = {t.id for t in tips if any(coverage[(t.id, g.id)] for g in gold)}
    ranked = [t for t in tips if t.support.sessions >= 2]
    best: dict[str, Tip | None] = {}
    per_gold: list[dict[str, Any]] = []
    for g in gold:
        candidates = [t for t in tips if coverage[(t.id, g.id)]]
        top = max(candidates, key=lambda t: (len(coverage[(t.id, g.id)]), t.support.sessions),
                  default=None)
        best[g.id] = top
        sessions = len({o.session for o in g.occurrences})
        speakers = len({aliases.get(o.speaker, o.speaker) for o in g.occurrences})
        per_gold.append({
            "gold": g.id, "gold_sessions": sessions, "gold_speakers": speakers,
            "tip": top.id if top else None,
            "sessions": top.support.sessions if top else 0,
            "speakers": top.support.speakers if top else 0,
            "fragments": len(candidates),
            "occurrences_found": len(set().union(*(coverage[(t.id, g.id)] for t in candidates))),
            "occurrences": len(g.occurrences),
            "text": top.text if top else None,
        })
    quotes = [(q.quote, q.session_id) for t in tips for q in t.quotes]
    occurrences = [o for g in gold for o in g.occurrences]
    found = sum(any(covers(q, s, o) for q, s in quotes) for o in occurrences)
    useful = sum(any(covers(q, s, o) for o in occurrences) for q, s in quotes)
    pairs = {tuple(sorted((g.id, other))) for g in gold for other in g.contradicts}
    linked = 0
    for a, b in pairs:
        ta, tb = best.get(a), best.get(b)
        linked += bool(ta and tb and tb.id in ta.contradicts)
    links, links_correct = link_counts(tips, best, pairs)
    n = len(gold) or 1
    purity_hits = purity_total = 0
    for t in ranked:
        labels = [next((g.id for g in gold if any(covers(q.quote, q.session_id, o)
                                                    for o in g.occurrences)), None)
                  for q in t.quotes]
        known = [label for label in labels if label is not None]
        if known:
            purity_hits += max(known.count(label) for label in set(known))
            purity_total += len(known)
    return TipsReport(
        tips=len(tips),
        ranked_tips=len(ranked),
        precision=_share(sum(t.id in matched for t in ranked), len(ranked)),
        precision_all=_share(len(matched), len(tips)),
        recall=_share(sum(best[g.id] is not None for g in gold), len(gold)),
        occurrence_precision=_share(useful, len(quotes)),
        occurrence_recall=_share(found, len(occurrences)),
        support_sessions_exact=_share(sum(p["sessions"] == p["gold_sessions"] for p in per_gold),
                                      n),
        support_speakers_exact=_share(sum(p["speakers"] == p["gold_speakers"] for p in per_gold),
                                      n),
        support_sessions_mae=sum(abs(p["sessions"] - p["gold_sessions"]) for p in per_gold) / n,
        support_speakers_mae=sum(abs(p["speakers"] - p["gold_speakers"]) for p in per_gold) / n,
        contradiction_recall=_share(linked, len(pairs)),
        contradiction_precision=round(links_correct / links, 3) if links else None,
        links=links,
        links_correct=links_correct,
        purity=_share(purity_hits, purity_total),
        per_gold=per_gold,
    )


def link_counts(
    tips: Sequence[Tip], best: dict[str, Tip | None], pairs: set[tuple[str, ...]]
) -> tuple[int, int]:
    """The product's contradiction links and how many are correct (module docstring).

    Args:
        tips: Every extracted tip, with its `contradicts` links.
        best: Gold tip id -> its best-matching tip (None when no tip matches it).
        pairs: The gold contradictory pairs, each a sorted pair of gold tip ids.

    Returns:
        (links made, links correct), each unordered link counted once.
    """
    made = {tuple(sorted((t.id, other))) for t in tips for other in t.contradicts}
    gold_of: dict[str, set[str]] = {}
    for gold_id, tip in best.items():
        if tip is not None:
            gold_of.setdefault(tip.id, set()).add(gold_id)

    def correct(x: str, y: str) -> bool:
        gx, gy = gold_of.get(x, set()), gold_of.get(y, set())
        return any((a in gx and b in gy) or (a in gy and b in gx) for a, b in pairs)

    return len(made), sum(correct(x, y) for x, y in made)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


# -- calibration ---------------------------------------------------------------------------


def calibrate_on_gold(
    ctx: Context, gold: Sequence[GoldTip], variants: Sequence[TipsSettings]
) -> list[dict[str, float]]:
    """Pairwise "same tip" precision, recall and F1 of clustering the gold occurrences.

    Each settings variant clusters the gold quotes in session order.

    The clustering is the registry's own (`TipIndex`, with its lexical checks), run on the gold
    quotes, so the figure measures the thresholds and not the extractor.
    """
    from companion.features.tips.actions import action_vectors
    from companion.features.tips.clustering import TipIndex
    from companion.features.tips.strength import advice_probability
    from companion.features.tips.weights import TermWeights

    items = sorted(
        ((o, g.id) for g in gold for o in g.occurrences), key=lambda x: (x[0].session, x[0].quote)
    )
    vectors = action_vectors([o.quote for o, _ in items], ctx.embeddings.embed_many,
                             advice_probability, ctx.settings.tips.core_blend)
    out: list[dict[str, float]] = []
    for variant in variants:
        index = TipIndex(variant, weigh=TermWeights(ctx.catalog))
        index.prime(vectors)
        assigned: list[str] = []
        for i, ((occ, _), vec) in enumerate(zip(items, vectors, strict=True)):
            match = index.match(occ.quote, vec, session=occ.session)
            cluster = match[0] if match else f"c{i}"
            assigned.append(cluster)
            index.add(index.member(cluster, occ.quote, vec, session=occ.session))
        tp = fp = fn = 0
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                same_gold, same_ours = items[i][1] == items[j][1], assigned[i] == assigned[j]
                tp += same_gold and same_ours
                fp += same_ours and not same_gold
                fn += same_gold and not same_ours
        p, r = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
        out.append({**_knobs(variant), "precision": round(p, 3), "recall": round(r, 3),
                    "f1": round(2 * p * r / ((p + r) or 1), 3), "clusters": len(set(assigned))})
    return out


def calibrate_end_to_end(
    ctx: Context, variants: Sequence[TipsSettings], root: Path = SAMPLES
) -> list[dict[str, Any]]:
    """Rebuild the registry of `ctx` with each settings variant and evaluate it on `root`."""
    rows: list[dict[str, Any]] = []
    for variant in variants:
        settings = ctx.settings.model_copy(update={"tips": variant})
        trial = Context(settings, embeddings=ctx.embeddings)
        report = run(trial, root=root)
        trial.close()
        rows.append({**_knobs(variant), **{k: v for k, v in asdict(report).items()
                                           if k != "per_gold"}})
    return rows


def _end_to_end_score(row: dict[str, Any]) -> float:
    """Lower is better: support error, penalised by impure or wrong ranked tips."""
    error = (row["support_sessions_mae"] + row["support_speakers_mae"]) / 2
    return error - 2 * row["purity"] * row["precision"]


def _knobs(s: TipsSettings) -> dict[str, float]:
    return {"same": s.same_tip_similarity, "cohesion": s.cohesion, "lexical": s.lexical_weight}


def sweep(base: TipsSettings) -> list[TipsSettings]:
    """The grid the calibration searches."""
    return [
        base.model_copy(update={"same_tip_similarity": round(same, 2), "cohesion": coh,
                                "lexical_weight": lex})
        for lex in (0.0, 0.3, 0.5)
        for same in [0.10 + 0.04 * i for i in range(12)]
        for coh in (0.0, 0.1, 0.2, 0.3)
    ]


def calibrate_topic(
    ctx: Context, gold: Sequence[GoldTip], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """Micro P/R/F1 of `--topic` thresholds, each gold topic used as a query.

    A tip is relevant to a topic when the gold tip it is attributed to has that topic.
    """
    from companion.features.tips.views import TipViews

    views = TipViews(ctx)
    tips = views.list_tips(include_retired=True)
    truth: dict[str, str] = {}
    for t in tips:
        counts = {g.id: len(_covered(t, g)) for g in gold}
        best = max(counts, key=lambda k: counts[k])
        if counts[best]:
            truth[t.id] = next(g.topic for g in gold if g.id == best)
    topics = sorted({g.topic for g in gold})
    scores = {topic: views.topic_scores(topic) for topic in topics}
    rows: list[dict[str, float]] = []
    for threshold in thresholds:
        tp = fp = fn = 0
        for topic in topics:
            for tip_id, gold_topic in truth.items():
                chosen, relevant = scores[topic][tip_id] >= threshold, gold_topic == topic
                tp += chosen and relevant
                fp += chosen and not relevant
                fn += relevant and not chosen
        p, r = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
        rows.append({"threshold": round(threshold, 2), "precision": round(p, 3),
                     "recall": round(r, 3), "f1": round(2 * p * r / ((p + r) or 1), 3)})
    return rows


def contradiction_similarities(ctx: Context, gold: Sequence[GoldTip]) -> list[float]:
    """Cosines of the closest occurrence pair of each gold contradictory pair."""
    by_id = {g.id: g for g in gold}
    pairs = {tuple(sorted((g.id, o))) for g in gold for o in g.contradicts}
    sims: list[float] = []
    for a, b in sorted(pairs):
        va = ctx.embeddings.embed_many([o.quote for o in by_id[a].occurrences])
        vb = ctx.embeddings.embed_many([o.quote for o in by_id[b].occurrences])
        sims.append(round(float((va @ vb.T).max()), 3))
    return sims


# -- running -------------------------------------------------------------------------------


class CachedEmbeddings:
    """The context's model with a memo of texts already embedded.

    A calibration re-embeds the same quotes for every settings variant.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self._memo: dict[str, Any] = {}

    def embed_many(self, texts: list[str]) -> Any:
        """Rows for `texts`, embedding only the new ones."""
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            self._memo.update(zip(todo, self.model.embed_many(todo), strict=True))
        return np.stack([self._memo[t] for t in texts]) if texts else np.zeros((0, 384))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def build_samples(data_dir: Path, root: Path = SAMPLES) -> Context:
    """A context with a corpus (samples layout) and its people directory loaded into `data_dir`.

    Reused when already there; embeds through a memo.
    """
    from companion.app import build_pipeline
    from companion.features.people import PeopleDirectory, load_people_file

    check_layout(root)
    ctx = Context(Settings(data_dir=data_dir), show_progress=sys.stderr.isatty())
    people = root / "people.yaml"
    if people.is_file():
        PeopleDirectory(ctx.catalog).upsert(load_people_file(people), source=str(people))
    report = build_pipeline(ctx).ingest([root / "sessions"])
    if report.failed:
        raise SystemExit("\n".join(report.failed))
    cached = Context(ctx.settings, embeddings=CachedEmbeddings(ctx.embeddings))  # type: ignore[arg-type]
    ctx.close()
    return cached


def check_layout(root: Path) -> None:
    """Raise `InputError` unless `root` holds `sessions/` and `gold/tips.jsonl`."""
    from companion.core.errors import InputError

    if not (root / "sessions").is_dir() or not (root / "gold" / "tips.jsonl").is_file():
        raise InputError(f"{root}: expected sessions/ and gold/tips.jsonl (the samples layout)")


def run(ctx: Context, rebuild: bool = True, root: Path = SAMPLES) -> TipsReport:
    """Evaluate the registry of `ctx` against the gold of `root` (rebuilt first when `rebuild`)."""
    from companion.features.tips.registry import TipRegistry
    from companion.features.tips.views import TipViews
    from evals.tips_top import top_figures

    if rebuild:
        TipRegistry(ctx).rebuild()
    tips = TipViews(ctx).list_tips(include_retired=True)
    gold = load_gold(root / "gold" / "tips.jsonl")
    report = evaluate(tips, gold, load_aliases(root / "people.yaml"))
    shown = TipViews(ctx).list_tips()

    def turn_text(session_id: str) -> str:
        return "\n".join(t.text for t in ctx.catalog.load_session(session_id).turns)

    report.top = asdict(top_figures(shown, gold, _covered, turn_text))
    return report


def evaluate_corpus(root: Path, data_dir: Path | None, out_dir: Path) -> tuple[list[str], Path]:
    """Ingest a corpus in the samples layout (reusing `data_dir`), score its tips, write JSON.

    Returns:
        The printable report and the path of the JSON written into `out_dir`.
    """
    check_layout(root)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_samples(data_dir or Path(tmp) / "data", root)
        try:
            out: dict[str, Any] = {"corpus": str(root), "report": asdict(run(ctx, root=root))}
        finally:
            ctx.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "tips.json"
    path.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return report_lines(out), path


def main(argv: Sequence[str] | None = None) -> None:
    """Print the tip figures on the sample gold (and the calibration with --calibrate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=SAMPLES,
                        help="corpus in the samples layout (default: the samples)")
    parser.add_argument("--data", type=Path, help="data dir with the corpus ingested (reused)")
    parser.add_argument("--calibrate", action="store_true", help="also sweep the thresholds")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_samples(args.data or Path(tmp) / "data", args.path)
        report = run(ctx, root=args.path)
        out: dict[str, Any] = {"report": asdict(report)}
        if args.calibrate:
            gold = load_gold(args.path / "gold" / "tips.jsonl")
            grid = sweep(ctx.settings.tips)
            out["gold_calibration"] = calibrate_on_gold(ctx, gold, grid)
            out["end_to_end_calibration"] = calibrate_end_to_end(ctx, grid, args.path)
            out["contradiction_pair_similarity"] = contradiction_similarities(ctx, gold)
            run(ctx, root=args.path)  # back to the configured settings for the topic sweep
            out["topic_calibration"] = calibrate_topic(
                ctx, gold, [round(0.20 + 0.025 * i, 3) for i in range(13)]
            )
        ctx.close()
    if args.json:
        print(json.dumps(out, indent=2))
        return
    _print(out)


def _print(out: dict[str, Any]) -> None:
    print("\n".join(report_lines(out)))


def precision_text(report: dict[str, Any]) -> str:
    """Contradiction precision with its counts: "0.25 (1/4 links)", or "n/a (no links)"."""
    if report["contradiction_precision"] is None:
        return "n/a (no links)"
    return (f"{report['contradiction_precision']:.3g} "
            f"({report['links_correct']}/{report['links']} links)")


def report_lines(out: dict[str, Any]) -> list[str]:
    """The report as printable lines."""
    lines: list[str] = []
    say = lines.append
    r = out["report"]
    say(f"tips: {r['tips']} ({r['ranked_tips']} given in 2+ sessions)")
    for key in ("precision", "precision_all", "recall", "occurrence_precision",
                "occurrence_recall", "purity", "support_sessions_exact", "support_speakers_exact",
                "support_sessions_mae", "support_speakers_mae", "contradiction_recall"):
        say(f"  {key:24} {r[key]}")
    say(f"  {'contradiction_precision':24} {precision_text(r)}")
    top = r.get("top") or {}
    if top:
        say(f"\ntop {top['k']}: precision {top['precision']}, advice given in 3+ sessions "
              f"({top['gold_3plus']}) in the top {top['recall_3plus']}, with exact session count "
              f"{top['support_exact_3plus']}, verbatim quotes {top['verbatim']}")
        for row in top["rows"]:
            say(f"  {row['sessions']}s {row['speakers']}p {row['gold'] or '-':5} {row['text']}")
    say("\nper gold tip: sessions ours/gold, speakers ours/gold, fragments, occurrences found")
    for p in r["per_gold"]:
        say(f"  {p['gold']} {p['sessions']}/{p['gold_sessions']} {p['speakers']}/"
              f"{p['gold_speakers']} frag={p['fragments']} occ={p['occurrences_found']}/"
              f"{p['occurrences']}  {p['text'] or '-'}")
    if "gold_calibration" in out:
        say("\nthresholds clustering the gold occurrences (pairwise same-tip P/R/F1), best 8:")
        for row in sorted(out["gold_calibration"], key=lambda r: -r["f1"])[:8]:
            say(f"  same={row['same']:.2f} cohesion={row['cohesion']:.2f} "
                  f"lexical={row['lexical']:.1f}  P={row['precision']:.3f} "
                  f"R={row['recall']:.3f} F1={row['f1']:.3f} clusters={row['clusters']}")
        say("\nend to end on the samples (extractor + registry), best 8 by purity x precision "
              "- support error:")
        for row in sorted(out["end_to_end_calibration"], key=_end_to_end_score)[:8]:
            say(f"  same={row['same']:.2f} cohesion={row['cohesion']:.2f} "
                  f"lexical={row['lexical']:.1f}  P={row['precision']} R={row['recall']} "
                  f"sessions exact={row['support_sessions_exact']} "
                  f"mae={row['support_sessions_mae']:.2f} speakers exact="
                  f"{row['support_speakers_exact']} mae={row['support_speakers_mae']:.2f} "
                  f"purity={row['purity']} contra={row['contradiction_recall']} "
                  f"ranked={row['ranked_tips']}")
        sims = out["contradiction_pair_similarity"]
        say(f"\nclosest cosine of gold contradictory pairs: {sims}")
        say("\n--topic threshold (gold topics as queries, micro P/R/F1):")
        for row in out["topic_calibration"]:
            say(f"  {row['threshold']:.3f}  P={row['precision']:.3f} R={row['recall']:.3f} "
                  f"F1={row['f1']:.3f}")
    return lines


if __name__ == "__main__":
    main()
