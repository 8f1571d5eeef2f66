"""Fit the summary sentence scorer on QMSum train; writes its `scorer_weights.json`.

Label of a candidate sentence (content, not housekeeping), as the product shows it (tidied):
the share of its content words (rouge-score tokens, Porter-stemmed, stopwords out) that the
meeting's gold "Summarize the whole meeting" answer also uses ("precision"), the same share over
all its tokens ("rouge_precision"), the count ("overlap"), or "precision" standardised within
its meeting ("precision_z": only the ranking inside a meeting matters for picking).
Model: ridge regression on standardised `scorer.FEATURES` plus the presence of each cue word
(`scorer.CUE_WORDS`, the shared stopword list). The MMR lambda and the number of key points (the
output length budget: ROUGE-1 F1 depends on it) are chosen by 4-fold cross-validation over train
meetings (folds by meeting), scoring ROUGE-1 F1 of the product's overview + key points against
the gold; lead and lead of content are cut to the same length in the same folds. Val is never
read here. The table of out-of-fold figures is written to `evals/results/summary_scorer_cv.json`
(train only; the chosen row is the best of the grid, so it is slightly optimistic).
`settings.summaries.key_points` ships the chosen number of key points.

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

from companion.core.housekeeping import is_housekeeping
from companion.core.settings import Settings
from companion.core.terms import STOPWORDS
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.extractive import ExtractiveSummariser
from companion.features.summaries.scorer import (
    CUE_WORDS,
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
LAMBDAS: tuple[float | str, ...] = (0.45, 0.55, 0.65)
KEY_POINTS = (4, 5, 6, 7)
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
    rows = sentence_features(candidates, sentences, meeting.chunks, lexical, CUE_WORDS)
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
                        coef.astype(np.float32), float(y.mean()), lam, cues=CUE_WORDS)


def _with(base: LinearScorer, lam: float | str) -> LinearScorer:
    """The scorer with an MMR lambda, or in "segments" / "opening" mode."""
    if isinstance(lam, str):
        return LinearScorer(base.features, base.mean, base.scale, base.coef, base.intercept,
                            base.mmr_lambda, lam, base.cues)
    return LinearScorer(base.features, base.mean, base.scale, base.coef, base.intercept,
                        float(lam), cues=base.cues)


def product_text(p: Prepared, scorer: LinearScorer, key_points: int) -> str:
    """Overview + key points as the product writes them."""
    picked = select_points(p.content, p.sentences, p.meeting.chunks, scorer, p.n_overview,
                           key_points, features=(p.rows, p.lexical))
    return " ".join(tidy(s.text) for s in picked.overview + picked.key_points)


def _cut(sentences: list[Sentence], n_words: int, tidied: bool) -> str:
    """The first `n_words` words of the sentences (tidied as the product shows them, or not)."""
    return " ".join(" ".join(tidy(s.text) if tidied else s.text for s in sentences).split()[
        :n_words])


def cross_validate(prepared: list[Prepared], rouge: Any) -> list[dict[str, Any]]:
    """Out-of-fold ROUGE-1 F1 of the product, lead and lead of content for every setting."""
    folds = [prepared[i::FOLDS] for i in range(FOLDS)]
    out = []
    for label in LABELS:
        for alpha in ALPHAS:
            runs: dict[tuple[float | str, int], list[tuple[float, float, float, int]]] = {}
            for k, test in enumerate(folds):
                train = [p for j, f in enumerate(folds) if j != k for p in f]
                base = fit(train, label, alpha, 0.7)
                for lam in LAMBDAS:
                    scorer = _with(base, lam)
                    for n_points in KEY_POINTS:
                        for p in test:
                            text = product_text(p, scorer, n_points)
                            n = len(text.split())
                            gold = p.meeting.gold
                            runs.setdefault((lam, n_points), []).append((
                                rouge.score(gold, text)["rouge1"].fmeasure,
                                rouge.score(gold, _cut(p.sentences, n, False))["rouge1"].fmeasure,
                                rouge.score(gold, _cut(p.content, n, True))["rouge1"].fmeasure,
                                n))
            for (lam, n_points), rows in runs.items():
                out.append({"label": label, "alpha": alpha, "mmr_lambda": lam,
                            "key_points": n_points,
                            "cv_rouge1": round(mean(r[0] for r in rows), 4),
                            "lead_rouge1": round(mean(r[1] for r in rows), 4),
                            "lead_of_content_rouge1": round(mean(r[2] for r in rows), 4),
                            "mean_words": round(mean(r[3] for r in rows), 1)})
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
    table = cross_validate(prepared, rouge)
    best = max(table, key=lambda r: r["cv_rouge1"])
    if best["key_points"] != settings.summaries.key_points:
        print(f"note: settings.summaries.key_points is {settings.summaries.key_points}; "
              f"train CV chose {best['key_points']}", file=sys.stderr)
    scorer = _with(fit(prepared, best["label"], best["alpha"], 0.7), best["mmr_lambda"])
    weights = scorer.to_json() | {
        "fitted_on": f"QMSum train, {len(prepared)} meetings",
        "label": best["label"], "alpha": best["alpha"],
        "script": "evals/train_summary_scorer.py",
    }
    args.out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "note": ("4-fold CV over QMSum train meetings, folds by meeting: out-of-fold ROUGE-1 F1 "
                 "(product, and lead / lead of content cut to the product's length); the chosen "
                 "row is the best of the grid"),
        "meetings": len(prepared), "chosen": best, "table": table,
        "coefficients": dict(zip(FEATURES, scorer.to_json()["coef"], strict=False)),
        "cue_words_largest": dict(sorted(
            zip(CUE_WORDS, scorer.to_json()["coef"][len(FEATURES):], strict=True),
            key=lambda kv: -abs(kv[1]))[:15]),
    }, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(best))


if __name__ == "__main__":
    main()
