"""Summaries: ROUGE on QMSum val against lead and random baselines; action/question coverage.

1. QMSum val (held out: the sentence scorer is fitted on train by
   `evals/train_summary_scorer.py`, nothing is tuned here). Product = overview + key points of
   the extractive summariser, as rendered (overview, then key points), with the chunk vectors the
   product's own chunker and embedding model give each meeting (`evals/qmsum_chunks.py`, cached).
   Reference = the gold answer to "Summarize the whole meeting". ROUGE-1/2/L F1 (rouge-score,
   Porter stemming). Baselines in the same run, cut to the product's length in words:
   - lead: the transcript's first sentences;
   - lead of content: the first content sentences (the product's filler filter, no scorer);
   - random / random content: sentences drawn uniformly (mean over `--seeds` fixed seeds), in
     session order;
   - the product without learned weights or chunk vectors (centrality + opening prior);
   - the product's points untidied (verbatim) and lead of content tidied, which show how much
     comes from `tidy` (fillers and stutters out of the shown text) and how much from picking.
   Also counted: overviews whose first sentence opens mid-thought ("But ...").
2. Sample corpus (`samples/gold/summaries.jsonl`), after a real ingest (summaries made on
   ingest). An extracted item *matches* a gold item when one of its citation quotes and the
   gold quote come from the same session and, after `normalise` (case, whitespace, typographic
   quotes), one contains the other or they share a common run of at least 60% of the shorter
   one's characters. Recall = gold items matched; precision = extracted items that match a gold
   item, over every consented session (sessions absent from the gold have no items). `who` is
   right when both name the same person (aliases from people.yaml) or the same text.
   Cross-session: for each gold open question, other sessions at or above the threshold are
   predicted `answered_in`; link precision/recall against the gold (`--calibrate` sweeps it).

Run: `python -m evals.summaries_eval [--qmsum DIR] [--data DIR] [--calibrate] [--json]`
(`--calibrate` sweeps the answered thresholds on the samples).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

from companion.core.framing import is_framing
from companion.core.grounding import normalise
from companion.core.housekeeping import opens_mid_thought
from companion.core.settings import Settings
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.chunk_vectors import ChunkVectors
from companion.features.summaries.extractive import NO_CHUNKS, ExtractiveSummariser
from companion.features.summaries.models import Summary
from companion.features.summaries.questions import find_open_questions
from companion.features.summaries.sentences import Sentence, session_sentences
from companion.features.summaries.tidy import tidy
from companion.retrieval.context import Context

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = SAMPLES / "gold" / "summaries.jsonl"
QMSUM_VAL = ROOT.parent / "shared" / "data" / "qmsum" / "val"
MIN_COMMON = 0.6
ANSWERED = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
ELSEWHERE = (0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75)


# -- QMSum ---------------------------------------------------------------------------------


def _rouge() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ModuleNotFoundError as exc:  # an eval extra
        raise SystemExit('rouge-score is not installed: pip install "learning-companion[eval]"') \
            from exc
    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


def cut_to(sentences: Sequence[Sentence], n_words: int) -> str:
    """Whole sentences in the given order until `n_words`, the last one cut to fit."""
    out: list[str] = []
    for s in sentences:
        room = n_words - len(out)
        if room <= 0:
            break
        out.extend(s.text.split()[:room])
    return " ".join(out)


def _random_cut(pool: Sequence[Sentence], n_words: int, seed: int) -> str:
    """Sentences drawn at random until long enough, in session order, cut to `n_words`."""
    rng = random.Random(seed)
    chosen: list[Sentence] = []
    total = 0
    for s in rng.sample(list(pool), len(pool)):
        chosen.append(s)
        total += len(s.text.split())
        if total >= n_words:
            break
    return cut_to(sorted(chosen, key=lambda s: s.position), n_words)


def _tidied(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences as the product shows them (`tidy`: no fillers or stutters)."""
    return [Sentence(s.position, s.turn, tidy(s.text), s.offset) for s in sentences]


def _fixed(chunks: ChunkVectors) -> Callable[[Any], ChunkVectors]:
    """A chunk source that always gives these (the meeting's cached chunk vectors)."""
    return lambda session: chunks


def qmsum(summariser: ExtractiveSummariser, folder: Path, seeds: int,
          variants: Sequence[tuple[float, float]] = (), limit: int | None = None) -> dict[str, Any]:
    """Mean ROUGE F1 of the product and the baselines on a QMSum folder (val: held out).

    Args:
        summariser: the product (its chunk vectors come from the QMSum chunk cache unless it
            has a source of its own).
        folder: QMSum val.
        seeds: random baseline seeds.
        variants: kept for callers; nothing is tuned here (the scorer is fitted on train).
        limit: only the first N meetings.
    """
    from evals.qmsum_chunks import ChunkVectorCache, meetings

    scorer = _rouge()
    cache = ChunkVectorCache(summariser.settings)
    found = meetings(folder.name, cache, limit, folder)
    rows: dict[str, list[dict[str, float]]] = {}
    words: list[int] = []
    openers = 0
    dropped: list[tuple[str, str]] = []  # picks the framing filter keeps out

    def add(name: str, text: str, gold: str) -> None:
        scores = scorer.score(gold, text)
        rows.setdefault(name, []).append({k: v.fmeasure for k, v in scores.items()})

    fallback = ExtractiveSummariser(None, summariser.settings, lambda s: NO_CHUNKS)
    fallback.scorer = None
    unframed = summariser.settings.model_copy(update={
        "summaries": summariser.settings.summaries.model_copy(update={"framing_filter": False})})
    for meeting in found:
        session, gold = meeting.session, meeting.gold
        product = ExtractiveSummariser(summariser.embeddings, summariser.settings,
                                       summariser.chunk_vectors or _fixed(meeting.chunks),
                                       summariser.scorer)
        sentences = session_sentences(session)
        # As in `ExtractiveSummariser.summarise`: action items are listed on their own.
        actions = {c.quote for a in find_action_items(session) for c in a.citations}
        content = product.content(sentences, actions)
        picked = product.select(session, sentences, content)
        ordered = picked.overview + picked.key_points  # as rendered: overview, then key points
        openers += bool(picked.overview) and opens_mid_thought(picked.overview[0].text)
        n_words = len(" ".join(s.text for s in _tidied(ordered)).split())
        words.append(n_words)
        add("product", cut_to(_tidied(ordered), n_words), gold)
        plain = fallback.select(session, sentences, content)
        add("product without learned weights or chunk vectors",
            cut_to(_tidied(plain.overview + plain.key_points), n_words), gold)
        add("product, sentences untidied", cut_to(ordered, n_words), gold)
        # The same product with framing sentences allowed back (issue 19's ablation).
        without = ExtractiveSummariser(product.embeddings, unframed, product.chunk_vectors,
                                       product.scorer).select(session, sentences, content)
        add("product without the framing filter",
            cut_to(_tidied(without.overview + without.key_points), n_words), gold)
        dropped.extend((session.id, s.text) for s in without.key_points if is_framing(s.text))
        add("lead", cut_to(sentences, n_words), gold)
        add("lead of content", cut_to(content, n_words), gold)
        add("lead of content, tidied", cut_to(_tidied(content), n_words), gold)
        for name, pool in (("random", sentences), ("random content", content)):
            runs = [scorer.score(gold, _random_cut(pool, n_words, seed)) for seed in range(seeds)]
            rows.setdefault(name, []).append(
                {k: mean(r[k].fmeasure for r in runs) for k in ("rouge1", "rouge2", "rougeL")})
    table = {name: {k: round(mean(r[k] for r in vals), 4) for k in ("rouge1", "rouge2", "rougeL")}
             for name, vals in rows.items()}
    return {"meetings": len(found), "mean_words": round(mean(words), 1), "seeds": seeds,
            "product": "learned scorer (scorer_weights.json, fitted on QMSum train)",
            "overviews_opening_mid_thought": openers, "rouge_f1": table,
            "framing_filter_replaced": [{"session": sid, "text": text} for sid, text in dropped]}


# -- sample corpus -------------------------------------------------------------------------


def overlaps(a: str, b: str) -> bool:
    """True when one normalised quote contains the other or they share 60% of the shorter."""
    return _overlap(a, b) >= MIN_COMMON


def load_gold(path: Path = GOLD) -> dict[str, dict[str, Any]]:
    """Gold action items and open questions by session id."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["session"]: r for r in rows}


def load_aliases() -> dict[str, str]:
    """Normalised alias -> person id, from people.yaml."""
    data = yaml.safe_load((SAMPLES / "people.yaml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for p in data["people"]:
        for name in [p["name"], *p.get("aliases", [])]:
            out[normalise(name)] = p["id"]
    return out


def _same_person(a: str | None, b: str, aliases: dict[str, str]) -> bool:
    """Same person by alias, or the same group name ignoring a leading "the"/"each"."""
    if a is None:
        return False
    pa, pb = aliases.get(normalise(a)), aliases.get(normalise(b))
    if pa is not None and pa == pb:
        return True
    return _group(a) == _group(b)


def _group(name: str) -> str:
    return re.sub(r"^(?:the|each|all) ", "", normalise(name))


def _overlap(a: str, b: str) -> float:
    """Longest common run of the normalised quotes, as a share of the shorter (0 when none)."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0.0
    match = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    return match.size / min(len(x), len(y))


def _prf(tp_gold: int, n_gold: int, tp_pred: int, n_pred: int) -> dict[str, Any]:
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "gold": n_gold, "extracted": n_pred, "gold_matched": tp_gold,
            "extracted_matching": tp_pred}


def coverage(summaries: dict[str, Summary], gold: dict[str, dict[str, Any]],
             kind: str, aliases: dict[str, str]) -> dict[str, Any]:
    """Precision and recall of action items (`kind='action_items'`) or open questions."""
    n_gold = tp_gold = n_pred = tp_pred = who_right = 0
    for sid, summary in summaries.items():
        items = getattr(summary, kind)
        golds = gold.get(sid, {}).get(kind, [])
        quotes = [[c.quote for c in item.citations] for item in items]
        n_gold += len(golds)
        n_pred += len(items)
        for g in golds:
            # The extracted item that covers the gold quote best (the first on a tie).
            scores = [max((_overlap(q, g["quote"]) * min(1.0, len(g["quote"]) / max(len(q), 1))
                           for q in qs), default=0.0) if any(overlaps(q, g["quote"]) for q in qs)
                      else -1.0 for qs in quotes]
            hit = max(range(len(scores)), key=lambda i: scores[i]) if scores and \
                max(scores) >= 0 else None
            tp_gold += hit is not None
            if hit is not None and kind == "action_items":
                who_right += _same_person(items[hit].who, g["who"], aliases)
        tp_pred += sum(any(overlaps(q, g["quote"]) for q in qs for g in golds) for qs in quotes)
    out = _prf(tp_gold, n_gold, tp_pred, n_pred)
    if kind == "action_items":
        out["who_right_of_matched"] = f"{who_right}/{tp_gold}"
    return out


def answered_threshold_sweep(ctx: Context, summariser: ExtractiveSummariser,
                             gold: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Open-question P/R on the samples for each `answered_similarity`."""
    out = []
    sessions = {s.id: ctx.catalog.load_session(s.id) for s in ctx.catalog.list_sessions()}
    for tau in ANSWERED:
        cfg = ctx.settings.summaries.model_copy(update={"answered_similarity": tau})
        found = {sid: Summary(session_id=sid, title="", open_questions=find_open_questions(
            s, cfg, summariser.embed)) for sid, s in sessions.items() if s.consent}
        out.append({"answered_similarity": tau,
                    **coverage(found, gold, "open_questions", {})})
    return out


def elsewhere(ctx: Context, summaries: dict[str, Summary],
              gold: dict[str, dict[str, Any]], thresholds: Sequence[float]) -> list[dict[str, Any]]:
    """answered_in link precision/recall for each threshold, over the gold open questions."""
    from companion.features.summaries.corpus import CorpusQuestions
    from companion.features.summaries.service import SummaryService

    corpus = CorpusQuestions(SummaryService(ctx))
    scored: list[tuple[set[str], list[tuple[str, float]]]] = []
    for sid, row in gold.items():
        for g in row["open_questions"]:
            mine = next((q for q in summaries[sid].open_questions
                         if overlaps(q.question, g["quote"])), None)
            if mine is None:
                continue  # not detected in its session: nothing to look up
            sims = [(a.session_id, a.similarity) for a in corpus.scored(sid, mine, private=False)]
            scored.append((set(g["answered_in"]), sims))
    out = []
    for tau in thresholds:
        tp = n_pred = n_gold = right = 0
        for want, sims in scored:
            got = {s for s, sim in sims if sim >= tau}
            tp += len(got & want)
            n_pred += len(got)
            n_gold += len(want)
            right += bool(got) == bool(want)
        p, r = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
        out.append({"threshold": tau, "link_precision": round(p, 3), "link_recall": round(r, 3),
                    "link_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
                    "answered_or_not_accuracy": f"{right}/{len(scored)}"})
    return out


def samples(ctx: Context, calibrate: bool) -> dict[str, Any]:
    """Coverage figures on the sample gold."""
    from companion.features.summaries.service import SummaryService

    service = SummaryService(ctx)
    consented = [s.id for s in ctx.catalog.list_sessions()]
    summaries = {s.session_id: s for s in service.summaries(consented, private=False)}
    gold, aliases = load_gold(), load_aliases()
    dropped = sum(s.verification.dropped for s in summaries.values())
    kept = sum(s.verification.kept for s in summaries.values())
    out: dict[str, Any] = {
        "sessions": len(summaries),
        "citations_verified": f"{kept} items kept, {dropped} dropped",
        "action_items": coverage(summaries, gold, "action_items", aliases),
        "open_questions": coverage(summaries, gold, "open_questions", aliases),
        "answered_elsewhere": elsewhere(
            ctx, summaries, gold, ELSEWHERE if calibrate
            else (ctx.settings.summaries.answered_elsewhere_similarity,)),
    }
    if calibrate:
        out["answered_in_session_sweep"] = answered_threshold_sweep(
            ctx, ExtractiveSummariser(ctx.embeddings, ctx.settings), gold)
    return out


def build_samples(data_dir: Path) -> Context:
    """A context with the sample corpus ingested (summaries made on ingest) and people loaded."""
    from companion.app import build_pipeline
    from companion.features.people import PeopleDirectory
    from companion.features.people.loader import load_people_file

    ctx = Context(Settings(data_dir=data_dir), show_progress=sys.stderr.isatty())
    report = build_pipeline(ctx).ingest([SAMPLES / "sessions"])
    if not report.ok:
        raise SystemExit("\n".join(report.failed))
    PeopleDirectory(ctx.catalog).upsert(load_people_file(SAMPLES / "people.yaml"))
    return ctx


# -- report --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Print the summary figures (and the calibration sweeps with --calibrate)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--qmsum", type=Path, default=QMSUM_VAL, help="QMSum val folder")
    parser.add_argument("--limit", type=int, help="only the first N meetings")
    parser.add_argument("--seeds", type=int, default=5, help="random baseline seeds")
    parser.add_argument("--data", type=Path, help="data dir with the samples ingested (reused)")
    parser.add_argument("--skip-qmsum", action="store_true")
    parser.add_argument("--skip-samples", action="store_true")
    parser.add_argument("--calibrate", action="store_true", help="also sweep the thresholds")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--out", type=Path,
                        help="also write OUT.json and OUT.md (e.g. evals/results/summaries_val)")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp) / "data"
        reuse = args.skip_samples or (data / "catalog.sqlite3").exists()
        ctx = Context(Settings(data_dir=data)) if reuse else build_samples(data)
        if not args.skip_qmsum:
            out["qmsum"] = qmsum(ExtractiveSummariser(ctx.embeddings, ctx.settings),
                                 args.qmsum, args.seeds, (), args.limit)
        if not args.skip_samples:
            out["samples"] = samples(ctx, args.calibrate)
        ctx.close()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print(out)
    if args.out:
        import contextlib
        import io

        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(out, indent=2) + "\n",
                                                 encoding="utf-8")
        table = io.StringIO()
        with contextlib.redirect_stdout(table):
            _print(out)
        args.out.with_suffix(".md").write_text(
            "Generated by `python -m evals.summaries_eval " + " ".join(sys.argv[1:])
            + "`.\n\n" + table.getvalue(), encoding="utf-8")


def _print(out: dict[str, Any]) -> None:
    if "qmsum" in out:
        q = out["qmsum"]
        print(f"QMSum val: {q['meetings']} meetings; product ({q['product']}) = overview + key "
              f"points, {q['mean_words']} words on average; baselines cut to the same length; "
              f"random = mean of {q['seeds']} seeds; ROUGE F1 (stemmed); overviews opening "
              f"mid-thought: {q['overviews_opening_mid_thought']}\n")
        print(f"| {'system':50} | ROUGE-1 | ROUGE-2 | ROUGE-L |")
        print(f"|{'-' * 52}|---------|---------|---------|")
        for name, r in q["rouge_f1"].items():
            print(f"| {name:50} | {r['rouge1']:.4f}  | {r['rouge2']:.4f}  | {r['rougeL']:.4f}  |")
        kept_out = q.get("framing_filter_replaced", [])
        print("\nKey points the framing filter keeps out (about the session itself): "
              f"{len(kept_out)}")
        for row in kept_out:
            print(f"- {row['session']}: {row['text']}")
        print()
    if "samples" in out:
        s = out["samples"]
        print(f"\nSample corpus: {s['sessions']} consented sessions; {s['citations_verified']}")
        print(f"\n| {'items':15} | precision | recall | F1    | gold | extracted |")
        print(f"|{'-' * 17}|-----------|--------|-------|------|-----------|")
        for key in ("action_items", "open_questions"):
            r = s[key]
            print(f"| {key:15} | {r['precision']:.3f}     | {r['recall']:.3f}  | {r['f1']:.3f} "
                  f"| {r['gold']:4} | {r['extracted']:9} |")
        print(f"\nwho right (of matched action items): {s['action_items']['who_right_of_matched']}")
        print("\nanswered in another session (gold answered_in links):")
        for r in s["answered_elsewhere"]:
            print(f"  threshold={r['threshold']:.2f} P={r['link_precision']:.3f} "
                  f"R={r['link_recall']:.3f} F1={r['link_f1']:.3f} "
                  f"answered-or-not right {r['answered_or_not_accuracy']}")
        for r in s.get("answered_in_session_sweep", []):
            print(f"  answered_similarity={r['answered_similarity']:.2f} open questions "
                  f"P={r['precision']:.3f} R={r['recall']:.3f}")


if __name__ == "__main__":
    main()
