"""Fits the answer confidence and the abstention threshold on QMSum train (see train_fusion).

Two logistic models over `companion.features.ask.confidence` features: P(on topic) (answerable
train questions against this module's own off-topic questions, not the evals' list) and P(the
answer cites a gold span | on topic) (answers composed from out-of-fold rankings). The
abstention threshold on P(on topic) is the highest that keeps train answerable abstention at or
below `--max-answerable-abstention`. Writes companion/features/ask/confidence_weights.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from companion.core.settings import RetrievalSettings
from companion.features.ask.confidence import ADAPTED_WEIGHTS_FILE as CONF_ADAPTED_FILE
from companion.features.ask.confidence import FEATURES as CONF_FEATURES
from companion.features.ask.confidence import WEIGHTS_FILE as CONF_FILE
from companion.features.ask.confidence import ConfidenceModel, Logistic, question_features
from companion.features.ask.extractive import ExtractiveGenerator
from companion.retrieval.fusion import FusionModel, diversify, features, fit_logistic
from companion.retrieval.hybrid import Retrieval
from evals.fusion_data import Shard, hits

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
MIN_RELATIVE_GRID = (0.0, 0.3, 0.5)


def oof_retrievals(
    shards: list[Shard], data: dict[str, Any], oof: np.ndarray, penalty: float | None = None
) -> list[Retrieval]:
    """Every train question's retrieval ranked by out-of-fold fusion scores (data's order)."""
    out: list[Retrieval] = []
    for shard in shards:
        for q, chunks in zip(shard.questions, shard.candidates, strict=True):
            text = " ".join(q.question.split())
            out.append(_ranked(text, list(chunks), None, oof[data["qid"] == len(out)], penalty))
    return out


def answer_figures(
    catalogs: list[Any], shards: list[Shard], retrievals: list[Retrieval], **composer: Any
) -> tuple[dict[str, float], list[bool]]:
    """Answer hit rate, citation precision and citations per answer of one composer setting."""
    hit = cites = good = 0
    flags_first5: list[bool] = []
    i = 0
    for catalog, shard in zip(catalogs, shards, strict=True):
        gen = ExtractiveGenerator(catalog, **composer)
        for q in shard.questions:
            answer = gen.compose(retrievals[i])
            i += 1
            flags = [hits(q, c.session_id, c.turn_start, c.turn_end) for c in answer.citations]
            flags_first5.append(any(flags[:5]))
            hit += any(flags[:5])
            cites += len(flags)
            good += sum(flags)
    n = max(1, i)
    figures = {
        "answer_hit_rate": round(hit / n, 4),
        "citation_precision": round(good / max(1, cites), 4),
        "citations_per_answer": round(cites / n, 3),
    }
    return figures, flags_first5


def fit_confidence(
    shards: list[Shard],
    catalogs: list[Any],
    askers: list[Callable[[str], list[Any]]],
    data: dict[str, Any],
    oof: np.ndarray,
    max_answerable_abstention: float,
    fusion: FusionModel,
    write: bool,
) -> dict[str, Any]:
    """The confidence model and abstention threshold, fitted on out-of-fold answers.

    Args:
        shards: the train shards (questions and candidates) whose rows `data` holds.
        catalogs: per shard, where its turns are read.
        askers: per shard, the candidates of any question in its corpus (off-topic ones).
        data: the fusion rows of the shards.
        oof: out-of-fold fusion logits of those rows.
        max_answerable_abstention: the threshold keeps train answerable abstention below this.
        fusion: the fusion model fitted on all of `data` (ranks the off-topic questions).
        write: replace the shipped confidence weights.
    """
    retrievals = oof_retrievals(shards, data, oof)
    settings = RetrievalSettings()
    sweep = {
        str(rel): answer_figures(catalogs, shards, retrievals, min_relative=rel)[0]
        for rel in MIN_RELATIVE_GRID
    }
    chosen = {"max_sentences": settings.answer_chunks, "min_relative": settings.answer_min_relative}
    answers, first5 = answer_figures(catalogs, shards, retrievals, **chosen)
    rows = [question_features(r) for r in retrievals]
    labels = list(first5)
    kinds = ["answerable"] * len(rows)
    groups = [str(m) for m in _question_meetings(data)]
    final = fusion
    for k, ask in enumerate(askers):
        for text in OWN_OFF_TOPIC:
            chunks, vector = ask(text), None
            logits = final.logits(features(text, chunks))
            rows.append(question_features(_ranked(text, chunks, vector, logits)))
            labels.append(False)
            kinds.append("off-topic")
            groups.append(f"off-topic-{k}")
    x, y = np.array(rows), np.array(labels, dtype=float)
    answerable = np.array([k == "answerable" for k in kinds])
    topic, hit = _fit_conf(x, y, answerable)
    oof_conf = _oof_confidence(x, y, answerable, np.array(groups))
    scaled = ConfidenceModel(_logistic(topic), _logistic(hit), 0.0)
    on_topic = np.array([scaled.topic.probability(r) for r in x])
    conf = on_topic * np.array([scaled.hit.probability(r) for r in x])
    ordered = np.sort(on_topic[answerable])
    cut = int(np.floor(max_answerable_abstention * len(ordered)))
    threshold = float(ordered[cut]) if cut < len(ordered) else 0.0
    saved = {
        "features": list(CONF_FEATURES),
        "topic": topic.to_json(),
        "hit": hit.to_json(),
        "threshold": round(threshold, 6),
    }
    if write:
        path = CONF_ADAPTED_FILE if settings.query_adapter else CONF_FILE
        path.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    return {
        "min_relative sweep (train, out-of-fold rankings)": sweep,
        "answers in settings (train, out-of-fold rankings)": {**chosen, **answers},
        "auroc (train, out-of-fold)": auroc(oof_conf[answerable], y[answerable]),
        "auroc (train, in-sample)": auroc(conf[answerable], y[answerable]),
        "on-topic threshold": threshold,
        "answerable abstention (train, in-sample)": float(
            (on_topic[answerable] < threshold).mean()
        ),
        "own off-topic abstention (in-sample)": float((on_topic[~answerable] < threshold).mean()),
    }


def _question_meetings(data: dict[str, Any]) -> list[str]:
    first = np.r_[True, data["qid"][1:] != data["qid"][:-1]]
    meetings = dict(zip(data["qid"][first].tolist(), data["meeting"][first].tolist(), strict=True))
    return [meetings.get(q, f"q{q}") for q in range(len(data["n_gold"]))]


def _fit_conf(x: np.ndarray, y: np.ndarray, answerable: np.ndarray) -> tuple[Any, Any]:
    # P(on topic): answerable train questions against the off-topic ones, classes balanced.
    weight = np.where(answerable, 1.0, answerable.sum() / max(1, (~answerable).sum()))
    topic = fit_logistic(x, answerable.astype(float), 1.0, sample_weight=weight)
    topic.names = CONF_FEATURES
    # P(cites the evidence | on topic): answerable train questions only.
    hit = fit_logistic(x[answerable], y[answerable], 1.0)
    hit.names = CONF_FEATURES
    return topic, hit


def _oof_confidence(
    x: np.ndarray, y: np.ndarray, answerable: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """Confidence of every row from models fitted without its meeting's fold."""
    names = sorted(set(groups.tolist()))
    fold = np.array([names.index(g) % FOLDS for g in groups])
    out = np.zeros(len(y))
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        topic, hit = _fit_conf(x[train], y[train], answerable[train])
        model = ConfidenceModel(_logistic(topic), _logistic(hit), 0.0)
        out[test] = [model.topic.probability(r) * model.hit.probability(r) for r in x[test]]
    return out


def _logistic(model: FusionModel) -> Logistic:
    return Logistic(model.weights, model.bias, model.mean, model.scale)


def _ranked(
    text: str, chunks: list[Any], vector: Any, logits: np.ndarray, penalty: float | None = None
) -> Retrieval:
    """The retrieval the product makes of these candidates (diversified as in the settings)."""
    for c, z in zip(chunks, logits, strict=True):
        c.probability = float(1.0 / (1.0 + np.exp(-z)))
        c.score = c.probability
    if penalty is None:
        penalty = RetrievalSettings().diversify
    chunks = [chunks[i] for i in diversify(chunks, np.asarray(logits), penalty)]
    best = max((c.similarity for c in chunks if c.similarity is not None), default=0.0)
    return Retrieval(text, chunks[:20], best, vector)


def auroc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    pos, neg = scores[labels > 0], scores[labels <= 0]
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))
