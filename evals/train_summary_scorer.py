"""Fit the summary sentence scorer on QMSum train; writes its `scorer_weights.json`.

Label of a candidate sentence (content, not housekeeping), as the product shows it (tidied):
the share of its content words (rouge-score tokens, Porter-stemmed, stopwords out) that the
meeting's gold "Summarize the whole meeting" answer also uses ("precision"), the same share over
all its tokens ("rouge_precision"), the count ("overlap"), or "precision" standardised within
its meeting ("precision_z": only the ranking inside a meeting matters for picking).
Model: ridge regression on standardised `scorer.FEATURES`. The ridge alpha, the label and
the MMR lambda are chosen by 4-fold cross-validation over train meetings (folds by meeting),
scoring ROUGE-1 F1 of the product's overview + key points against the gold; val is never read
here. The CV table is written to `evals/results/summary_scorer_cv.json` (train only:
in-sample for model selection).

Run: `python -m evals.train_summary_scorer [--limit N]` (chunk vectors from `evals.qmsum_chunks`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.core.terms import STOPWORDS
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.extractive import ExtractiveSummariser
from companion.features.summaries.housekeeping import is_housekeeping
from companion.features.summaries.scorer import (
    FEATURES,
    WEIGHTS,
    LinearScorer,
    sentence_features,
    tfidf_rows,
)
from companion.features.summaries.selection import select_points
from companion.features.summaries.sentences import Sentence, session_sentences
from companion.features.summaries.tidy import tidy
from evals.qmsum_chunks import ChunkVectorCache, Meeting, meetings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "evals" / "results" / "summary_scorer_cv.json"
ALPHAS = (30.0,)
LAMBDAS: tuple[float | str, ...] = (0.55, "opening")
LABELS = ("precision",)
FOLDS = 4


def rouge_tools() -> tuple[Any, Any]:
    """(scorer, tokenize) from rouge-score with Porter stemming."""
    from rouge_score import rouge_scorer, tokenizers

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)
    return scorer, tokenizer.tokenize


@dataclass
class Prepared:
    """One meeting's candidates, features and labels."""

    meeting: Meeting
    sentences: list[Sentence]
    content: list[Sentence]
    rows: Any
    lexical: Any
    labels: dict[str, Any]
    n_overview: int


def prepare(meeting: Meeting, summariser: ExtractiveSummariser, tok: Any) -> Prepared:
    """Features and labels of one meeting's candidate sentences (as `select_points` sees them)."""
    sentences = session_sentences(meeting.session)
    actions = {c.quote for a in find_action_items(meeting.session) for c in a.citations}
    content = summariser.content(sentences, actions)
    candidates = [s for s in content if not is_housekeeping(s.text)]
    lexical = tfidf_rows([s.text for s in candidates])
    rows = sentence_features(candidates, sentences, meeting.chunks, lexical)
    gold = {t for t in tok(meeting.gold) if t not in STOPWORDS}
    every = set(tok(meeting.gold))
    precision, overlap, rouge_precision = [], [], []
    for s in candidates:
        tokens = tok(tidy(s.text))
        terms = [t for t in tokens if t not in STOPWORDS]
        shared = sum(t in gold for t in terms)
        precision.append(shared / max(1, len(terms)))
        overlap.append(float(shared))
        rouge_precision.append(sum(t in every for t in tokens) / max(1, len(tokens)))
    prec = np.asarray(precision)
    z = (prec - prec.mean()) / (prec.std() or 1.0) if len(prec) else prec
    return Prepared(meeting, sentences, content, rows, lexical,
                    {"precision": prec, "precision_z": z, "overlap": np.asarray(overlap),
                     "rouge_precision": np.asarray(rouge_precision)},
                    summariser.overview_size(len(content)))


def fit(prepared: list[Prepared], label: str, alpha: float, lam: float) -> LinearScorer:
    """Ridge regression on standardised features."""
    x = np.vstack([p.rows for p in prepared if len(p.rows)])
    y = np.concatenate([p.labels[label] for p in prepared if len(p.rows)])
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd < 1e-6] = 1.0
    z = (x - mu) / sd
    coef = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return LinearScorer(FEATURES, mu.astype(np.float32), sd.astype(np.float32),
                        coef.astype(np.float32), float(y.mean()), lam)


def _with(base: LinearScorer, lam: float | str) -> LinearScorer:
    """The scorer with an MMR lambda, or in "segments" / "opening" mode."""
    if isinstance(lam, str):
        return LinearScorer(base.features, base.mean, base.scale, base.coef, base.intercept,
                            base.mmr_lambda, lam)
    return LinearScorer(base.features, base.mean, base.scale, base.coef, base.intercept,
                        float(lam))


def product_text(p: Prepared, scorer: LinearScorer, key_points: int) -> str:
    """Overview + key points as the product writes them."""
    picked = select_points(p.content, p.sentences, p.meeting.chunks, scorer, p.n_overview,
                           key_points, features=(p.rows, p.lexical))
    return " ".join(tidy(s.text) for s in picked.overview + picked.key_points)


def cross_validate(prepared: list[Prepared], key_points: int, rouge: Any) -> list[dict[str, Any]]:
    """Mean ROUGE-1 F1 on held-out folds for every (label, alpha, lambda)."""
    folds = [prepared[i::FOLDS] for i in range(FOLDS)]
    out = []
    for label in LABELS:
        for alpha in ALPHAS:
            scores: dict[float | str, list[float]] = {lam: [] for lam in LAMBDAS}
            lead: list[float] = []
            for k, test in enumerate(folds):
                train = [p for j, f in enumerate(folds) if j != k for p in f]
                base = fit(train, label, alpha, 0.7)
                for lam in LAMBDAS:
                    scorer = _with(base, lam)
                    for p in test:
                        text = product_text(p, scorer, key_points)
                        scores[lam].append(rouge.score(p.meeting.gold, text)["rouge1"].fmeasure)
                        if lam == LAMBDAS[0]:
                            first = " ".join(" ".join(tidy(s.text) for s in p.content).split()[
                                :len(text.split())])
                            lead.append(rouge.score(p.meeting.gold, first)["rouge1"].fmeasure)
            out.append({"label": "lead of content (same length)", "alpha": alpha,
                        "mmr_lambda": None, "cv_rouge1": round(mean(lead), 4)})
            print(out[-1], file=sys.stderr)
            for lam in LAMBDAS:
                out.append({"label": label, "alpha": alpha, "mmr_lambda": lam,
                            "cv_rouge1": round(mean(scores[lam]), 4)})
                print(out[-1], file=sys.stderr)
    return out


def main() -> None:
    """Cross-validate, fit on all of train, write the weights and the CV table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N train meetings")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--cached-only", action="store_true",
                        help="train on the meetings whose chunk vectors are cached already")
    args = parser.parse_args()
    settings = Settings()
    summariser = ExtractiveSummariser(None, settings, scorer=None)
    rouge, tok = rouge_tools()
    prepared = [prepare(m, summariser, tok)
                for m in meetings("train", ChunkVectorCache(settings), args.limit,
                                 cached_only=args.cached_only)]
    table = cross_validate(prepared, settings.summaries.key_points, rouge)
    best = max((r for r in table if r["mmr_lambda"] is not None), key=lambda r: r["cv_rouge1"])
    scorer = _with(fit(prepared, best["label"], best["alpha"], 0.7), best["mmr_lambda"])
    weights = scorer.to_json() | {
        "fitted_on": f"QMSum train, {len(prepared)} meetings",
        "label": best["label"], "alpha": best["alpha"],
        "script": "evals/train_summary_scorer.py",
    }
    args.out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "note": "4-fold CV over QMSum train meetings (model selection; in-sample for train)",
        "meetings": len(prepared), "chosen": best, "table": table,
        "coefficients": dict(zip(FEATURES, scorer.to_json()["coef"], strict=True)),
    }, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(best))


if __name__ == "__main__":
    main()
