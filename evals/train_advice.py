"""Train the advice detector shipped as `companion/core/advice_model.npz`, then write its report.

Data (see `evals.advice_data`): Advice-EMNLP2020 askparents/needadvice *train* sentences plus the
*train* part of the hand-labelled speech (`evals/data/advice_transcripts.jsonl`, split by source
meeting/session). Model selection and the decision threshold use *dev* only: the two forums'
dev files and out-of-fold predictions on the speech train part (folds by source). Test files are
read only by the report (`evals.advice_report`).

Needs scikit-learn (eval extra); the shipped detector needs numpy only.

Run: `python -m evals.train_advice [--no-report]`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier

from companion.core.advice import DEFAULT_PATH, AdviceDetector
from evals.advice_data import ROOT, Example, advice_split, embed, transcript_rows

SEED = 16
FOLDS = 4
TRAINING_LOG = ROOT / "evals" / "reports" / "advice_training.json"


@dataclass(frozen=True)
class Config:
    """One candidate model: hidden units (0 = logistic regression), L2 strength, speech weight.

    Speech rows are few; each counts `speech_weight` times (by repetition) so the forum rows do
    not drown them out.
    """

    hidden: int
    alpha: float
    speech_weight: int

    @property
    def name(self) -> str:
        """Short label for the report."""
        return "logreg" if self.hidden == 0 else f"mlp{self.hidden}"


GRID = (Config(0, 0.25, 4), Config(0, 0.25, 10), Config(0, 1.0, 10), Config(128, 1e-1, 10))


def fit(config: Config, x: np.ndarray, y: np.ndarray) -> AdviceDetector:
    """Train one model; returns a detector with a provisional 0.5 threshold."""
    if config.hidden == 0:
        lr = LogisticRegression(C=config.alpha, max_iter=2000)
        lr.fit(x, y)
        layers = [(lr.coef_.T.astype(np.float32), lr.intercept_.astype(np.float32))]
    else:
        mlp = MLPClassifier(hidden_layer_sizes=(config.hidden,), alpha=config.alpha,
                            early_stopping=True, validation_fraction=0.1, max_iter=200,
                            random_state=SEED)
        mlp.fit(x, y)
        layers = [(w.astype(np.float32), b.astype(np.float32))
                  for w, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)]
    return AdviceDetector(layers=layers, threshold=0.5)


def f1_at(prob: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """F1 of `prob >= threshold` against labels `y`."""
    pred = prob >= threshold
    tp = float(np.sum(pred & (y == 1)))
    denom = float(np.sum(pred) + np.sum(y == 1))
    return 2 * tp / denom if denom else 0.0


def best_threshold(dev: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """The threshold that maximises the mean F1 over the dev sets, and that mean."""
    grid = np.round(np.arange(0.10, 0.91, 0.01), 2)
    scores = [float(np.mean([f1_at(p, y, t) for p, y in dev])) for t in grid]
    i = int(np.argmax(scores))
    return float(grid[i]), scores[i]


def _xy(rows: list[Example], repeat: int = 1) -> tuple[np.ndarray, np.ndarray]:
    x = embed([r.text for r in rows])
    y = np.array([r.label for r in rows])
    return np.repeat(x, repeat, axis=0), np.repeat(y, repeat)


def speech_oof(config: Config, forum: tuple[np.ndarray, np.ndarray],
               speech: list[Example]) -> np.ndarray:
    """Out-of-fold probabilities on the speech train part (folds by source)."""
    groups = np.array([r.source for r in speech])
    xs, ys = _xy(speech)
    out = np.zeros(len(speech), dtype=np.float32)
    for fit_idx, held in GroupKFold(n_splits=FOLDS).split(xs, ys, groups):
        x = np.vstack([forum[0], np.repeat(xs[fit_idx], config.speech_weight, axis=0)])
        y = np.concatenate([forum[1], np.repeat(ys[fit_idx], config.speech_weight)])
        out[held] = fit(config, x, y).predict_proba(xs[held])
    return out


def train() -> tuple[AdviceDetector, dict[str, object]]:
    """Select a model on dev, calibrate its threshold, refit on all train data."""
    forum_rows = advice_split("askparents_train") + advice_split("needadvice_train")
    speech = transcript_rows("train")
    forum = _xy(forum_rows)
    devs = {name: _xy(advice_split(name)) for name in ("askparents_dev", "needadvice_dev")}
    speech_y = np.array([r.label for r in speech])
    log: dict[str, object] = {"train_forum": len(forum_rows), "train_speech": len(speech)}
    selection: dict[str, dict[str, float]] = {}
    best: tuple[float, Config, float] | None = None
    for config in GRID:
        speech_xy = _xy(speech, config.speech_weight)
        x_all = np.vstack([forum[0], speech_xy[0]])
        y_all = np.concatenate([forum[1], speech_xy[1]])
        model = fit(config, x_all, y_all)
        dev_sets = [(model.predict_proba(x), y) for x, y in devs.values()]
        dev_sets.append((speech_oof(config, forum, speech), speech_y))
        threshold, score = best_threshold(dev_sets)
        selection[f"{config.name}(alpha={config.alpha}, speech x{config.speech_weight})"] = {
            "threshold": threshold, "mean_dev_f1": round(score, 4)}
        print(config, threshold, round(score, 4), flush=True)
        if best is None or score > best[0]:
            best = (score, config, threshold)
    assert best is not None
    _, config, threshold = best
    speech_xy = _xy(speech, config.speech_weight)
    detector = fit(config, np.vstack([forum[0], speech_xy[0]]),
                   np.concatenate([forum[1], speech_xy[1]]))
    detector.threshold = threshold
    log.update(selection=selection, chosen=config.name, alpha=config.alpha,
               speech_weight=config.speech_weight, threshold=threshold)
    return detector, log


def main() -> None:
    """Train, save the weights next to the detector, and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-report", action="store_true", help="only train and save")
    args = parser.parse_args()
    detector, log = train()
    detector.save(DEFAULT_PATH)
    TRAINING_LOG.parent.mkdir(parents=True, exist_ok=True)
    TRAINING_LOG.write_text(json.dumps(log, indent=1) + "\n")
    print(json.dumps(log, indent=1))
    if not args.no_report:
        from evals.advice_report import write_report

        write_report()


if __name__ == "__main__":
    main()
