"""Fits the learned fusion and the answer confidence on QMSum train; reproduces both files.

The files: companion/retrieval/fusion_weights.json, companion/features/ask/confidence_weights.json.

    python -m evals.train_fusion --path /work/shared/data/qmsum/train --every 6 \
        --data /tmp/retrieval-train --cache /work/cache/retrieval

Every `--every`-th train meeting (file-name order) is ingested with the product's own ingest
(as `companion eval` does) into `--data`, once; candidates and their features are cached in
`--cache`. Fusion: a ranking model over `companion.retrieval.fusion.FEATURES` (softmax over each
question's candidates, then Platt-scaled), its ridge penalty chosen by out-of-fold recall@5
(folds by meeting). Confidence: two logistic models over `companion.features.ask.confidence`
features, P(on topic) (answerable train questions against this script's own off-topic
questions, not the evals' list) and P(the answer cites a gold span | on topic) (answers composed
from out-of-fold rankings); the abstention threshold on P(on topic) is the highest that keeps
train answerable abstention at or below `--max-answerable-abstention`. Every figure it prints
is on train: in-sample or out-of-fold.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.features.ask.confidence import FEATURES as CONF_FEATURES
from companion.features.ask.confidence import WEIGHTS_FILE as CONF_FILE
from companion.features.ask.confidence import ConfidenceModel, Logistic, question_features
from companion.features.ask.extractive import ExtractiveGenerator
from companion.retrieval.fusion import (
    WEIGHTS_FILE,
    FusionModel,
    features,
    fit_listwise,
    fit_logistic,
)
from companion.retrieval.hybrid import Retrieval
from evals.datasets import GoldQuestion, load_qmsum
from evals.runner import open_store, single_thread_queries, sync_corpus

# General-knowledge questions written for fitting the abstention threshold; distinct from the
# evals' OFF_TOPIC_QUESTIONS (which are only ever used to report).
OWN_OFF_TOPIC = (
    "What is the speed of light in a vacuum?",
    "Who composed the Four Seasons violin concertos?",
    "What is the best way to season a cast iron pan?",
    "What is the population of Canada?",
    "When did the first moon landing happen?",
    "How many players are on a rugby union team?",
    "What is the recipe for a classic margherita pizza?",
    "Which river flows through Cairo?",
    "How do I train a puppy to sit?",
    "What causes the northern lights?",
    "Who invented the telephone?",
    "What is the best way to store fresh basil?",
    "How far is the moon from the earth?",
    "What language is spoken in Brazil?",
    "How do I knit a scarf for beginners?",
    "Which element has atomic number six?",
    "What is the plot of Hamlet?",
    "How do I fix a leaking tap washer?",
    "Who won the first FIFA World Cup?",
    "What is the difference between a crocodile and an alligator?",
    "How many hours of sleep does a teenager need?",
    "What is the square root of 144?",
    "Which country has the most volcanoes?",
    "How do I make cold brew coffee at home?",
    "What does photosynthesis produce?",
    "Who was the first woman to win a Nobel Prize?",
    "How do I wax a snowboard?",
    "What is the longest river in South America?",
    "How do I grow tomatoes on a balcony?",
    "What is the freezing point of mercury?",
)

FOLDS = 5
L2_GRID = (1.0, 10.0, 30.0)
MIN_RELATIVE_GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7)


def subset(src: Path, every: int, dest: Path) -> Path:
    """A folder holding every `every`-th meeting of `src` (file-name order), copied once."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.json"))[::every]:
        if not (dest / path.name).exists():
            shutil.copy(path, dest / path.name)
    return dest


def hits(q: GoldQuestion, session_id: str, start: int, end: int) -> bool:
    """Whether a turn range overlaps one of the question's gold spans."""
    return any(span.overlaps(session_id, start, end) for item in q.gold for span in item)


def collect(ctx: Any, questions: list[GoldQuestion], cache: Path) -> dict[str, Any]:
    """Candidates of every question with features and labels (cached as npz)."""
    out = cache / "candidates.npz"
    if out.is_file():
        return dict(np.load(out, allow_pickle=True))
    rows: dict[str, list[Any]] = {k: [] for k in ("x", "y", "qid", "rrf", "item", "meeting")}
    for qi, q in enumerate(questions):
        text = " ".join(q.question.split())
        chunks, _ = ctx.retriever.candidates(text)
        x = features(text, chunks)
        for c, row in zip(chunks, x, strict=True):
            rows["x"].append(row)
            rows["y"].append(hits(q, c.session_id, c.turn_start, c.turn_end))
            rows["qid"].append(qi)
            rows["rrf"].append(c.score)
            rows["item"].append(
                [
                    i
                    for i, it in enumerate(q.gold)
                    if any(s.overlaps(c.session_id, c.turn_start, c.turn_end) for s in it)
                ][:1]
                or [-1]
            )
            rows["meeting"].append(q.sessions[0])
    data = {
        "x": np.array(rows["x"]),
        "y": np.array(rows["y"], dtype=float),
        "qid": np.array(rows["qid"]),
        "rrf": np.array(rows["rrf"]),
        "item": np.array([i[0] for i in rows["item"]]),
        "meeting": np.array(rows["meeting"]),
        "n_gold": np.array([len(q.gold) for q in questions]),
    }
    np.savez(out, **data)  # type: ignore[arg-type]
    return data


def recall_hit(data: dict[str, Any], score: np.ndarray, k: int = 5) -> tuple[float, float]:
    """Mean recall@k of gold items and hit@k over questions, ranking by `score`."""
    recalls, hit = [], []
    for qi, n_gold in enumerate(data["n_gold"]):
        idx = np.flatnonzero(data["qid"] == qi)
        top = idx[np.argsort(-score[idx], kind="stable")[:k]]
        items = {int(i) for i in data["item"][top] if i >= 0}
        recalls.append(len(items) / n_gold)
        hit.append(bool(data["y"][top].any()))
    return float(np.mean(recalls)), float(np.mean(hit))


def folds_of(data: dict[str, Any]) -> np.ndarray:
    """Fold number per row: whole meetings per fold."""
    meetings = sorted(set(data["meeting"].tolist()))
    fold = {m: i % FOLDS for i, m in enumerate(meetings)}
    return np.array([fold[m] for m in data["meeting"]])


def out_of_fold(data: dict[str, Any], l2: float) -> np.ndarray:
    """Logits of every row from a model fitted without that row's meeting."""
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


def main(argv: list[str] | None = None) -> None:
    """Run every stage; print the in-sample figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", type=Path, default=Path("/work/shared/data/qmsum/train"))
    parser.add_argument("--every", type=int, default=6)
    parser.add_argument("--data", type=Path, default=Path("/tmp/retrieval-train"))
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/retrieval"))
    parser.add_argument("--max-answerable-abstention", type=float, default=0.02)
    args = parser.parse_args(argv)
    folder = subset(args.path, args.every, args.cache / "train-subset")
    dataset = load_qmsum(folder, 0)
    ctx = open_store(Settings(), args.data, None, True)
    try:
        sync_corpus(ctx, dataset)
        questions = [q for q in dataset.questions if q.answerable]
        with single_thread_queries():  # one question at a time: see the runner
            data = collect(ctx, questions, args.cache)
        model, figures, oof = fit_fusion(data)
        WEIGHTS_FILE.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(
            json.dumps(
                {"meetings": len(dataset.sessions), "questions": len(questions), "fusion": figures},
                indent=1,
            )
        )
        with single_thread_queries():
            conf = fit_confidence(ctx, questions, data, oof, args)
        print(json.dumps({"confidence": conf}, indent=1))
        figures_file = Path(__file__).with_name("train_fusion_figures.json")
        summary = {
            "note": "QMSum train subset; every figure is in-sample or out-of-fold on train",
            "meetings": sorted(s.id for s in dataset.sessions),
            "questions": len(questions),
            "fusion": figures,
            "confidence": conf,
        }
        figures_file.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    finally:
        ctx.close()


def sweep_min_relative(
    ctx: Any, questions: list[GoldQuestion], retrievals: list[Retrieval]
) -> dict[str, Any]:
    """Answer hit rate and citation precision of each `answer_min_relative` (train)."""
    out: dict[str, Any] = {}
    for rel in MIN_RELATIVE_GRID:
        composer = ExtractiveGenerator(ctx.catalog, ctx.settings.retrieval.answer_chunks, rel)
        hit = cites = good = 0
        for q, retrieval in zip(questions, retrievals, strict=True):
            answer = composer.compose(retrieval)
            flags = [hits(q, c.session_id, c.turn_start, c.turn_end) for c in answer.citations]
            hit += any(flags[:5])
            cites += len(flags)
            good += sum(flags)
        out[str(rel)] = {
            "answer_hit_rate": round(hit / len(questions), 4),
            "citation_precision": round(good / max(1, cites), 4),
        }
    return out


def fit_confidence(
    ctx: Any, questions: list[GoldQuestion], data: dict[str, Any], oof: np.ndarray, args: Any
) -> dict[str, Any]:
    """The confidence model and abstention threshold, fitted on out-of-fold answers."""
    retrievals = []
    for qi, q in enumerate(questions):
        text = " ".join(q.question.split())
        chunks, vector = ctx.retriever.candidates(text)
        retrievals.append(_ranked(text, chunks, vector, oof[data["qid"] == qi]))
    sweep = sweep_min_relative(ctx, questions, retrievals)
    rel = ctx.settings.retrieval.answer_min_relative
    composer = ExtractiveGenerator(ctx.catalog, ctx.settings.retrieval.answer_chunks, rel)
    rows, labels, kinds = [], [], []
    for q, retrieval in zip(questions, retrievals, strict=True):
        answer = composer.compose(retrieval)
        rows.append(question_features(retrieval))
        labels.append(
            any(hits(q, c.session_id, c.turn_start, c.turn_end) for c in answer.citations[:5])
        )
        kinds.append("answerable")
    final = FusionModel.from_json(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
    for text in OWN_OFF_TOPIC:
        chunks, vector = ctx.retriever.candidates(text)
        logits = final.logits(features(text, chunks))
        rows.append(question_features(_ranked(text, chunks, vector, logits)))
        labels.append(False)
        kinds.append("off-topic")
    x, y = np.array(rows), np.array(labels, dtype=float)
    answerable = np.array([k == "answerable" for k in kinds])
    # P(on topic): answerable train questions against the off-topic ones, classes balanced.
    weight = np.where(answerable, 1.0, answerable.sum() / max(1, (~answerable).sum()))
    topic = fit_logistic(x, answerable.astype(float), 1.0, sample_weight=weight)
    topic.names = CONF_FEATURES
    # P(cites the evidence | on topic): answerable train questions only.
    hit = fit_logistic(x[answerable], y[answerable], 1.0)
    hit.names = CONF_FEATURES
    scaled = ConfidenceModel(_logistic(topic), _logistic(hit), 0.0)
    on_topic = np.array([scaled.topic.probability(r) for r in x])
    conf = on_topic * np.array([scaled.hit.probability(r) for r in x])
    ordered = np.sort(on_topic[answerable])
    cut = int(np.floor(args.max_answerable_abstention * len(ordered)))
    threshold = float(ordered[cut]) if cut < len(ordered) else 0.0
    saved = {
        "features": list(CONF_FEATURES),
        "topic": topic.to_json(),
        "hit": hit.to_json(),
        "threshold": round(threshold, 6),
    }
    CONF_FILE.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    return {
        "min_relative sweep (train, out-of-fold rankings)": sweep,
        "min_relative in settings": rel,
        "answer_hit_rate (train, out-of-fold rankings)": float(y[answerable].mean()),
        "auroc (train, in-sample)": auroc(conf[answerable], y[answerable]),
        "on-topic threshold": threshold,
        "answerable abstention (train, in-sample)": float(
            (on_topic[answerable] < threshold).mean()
        ),
        "own off-topic abstention (in-sample)": float((on_topic[~answerable] < threshold).mean()),
    }


def _logistic(model: FusionModel) -> Logistic:
    return Logistic(model.weights, model.bias, model.mean, model.scale)


def _ranked(text: str, chunks: list[Any], vector: Any, logits: np.ndarray) -> Retrieval:
    for c, z in zip(chunks, logits, strict=True):
        c.probability = float(1.0 / (1.0 + np.exp(-z)))
        c.score = c.probability
    chunks = sorted(chunks, key=lambda c: -c.score)
    best = max((c.similarity for c in chunks if c.similarity is not None), default=0.0)
    return Retrieval(text, chunks[:20], best, vector)


def auroc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    pos, neg = scores[labels > 0], scores[labels <= 0]
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


if __name__ == "__main__":
    main()
