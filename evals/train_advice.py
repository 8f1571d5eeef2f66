"""Train the advice detector shipped as `companion/core/advice_model.npz`, then write its report.

Data (`evals.advice_data.training_files` lists every file, with its hash, in the training log):
the Advice-EMNLP2020 askparents/needadvice *train* sentences (all 14,849) plus the *train* part
of the hand-labelled speech (`evals/data/advice_transcripts.jsonl`,
`evals/data/advice_self_reports.jsonl`; split by source meeting/session). The forums' *dev* files
calibrate; the test files and the speech test part are read only by the report
(`evals.advice_report`).

Each candidate (L2 strength C, value of the word cues, speech repetition) is fitted on forum
train + speech train and scored on the forum dev files and on out-of-fold predictions for the
speech train part (folds by source): the mean of the three F1s at the best shared threshold. The
best candidate is the text head, with that threshold; the best candidate without word cues is
the embedding head, its bias shifted so the same threshold serves both. The cue pre-stage
(word cues only, run before embedding) is fitted on the same rows with the best candidate's C
and speech weight, its threshold set on QMSum train meetings (`evals.advice_stage`). (A
threshold chosen on out-of-fold predictions over train + dev instead came out lower, 0.28, and
cost speech precision; dev is the cleaner calibration set, so it stays out of the fit.)

Needs scikit-learn and scipy (eval extra); the shipped detector needs numpy only.

Run: `python -m evals.train_advice [--no-report]`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from companion.core.advice import BUCKETS, DEFAULT_PATH, AdviceDetector, TextHead, cue_buckets
from evals.advice_data import ROOT, Example, advice_split, embed, training_files, transcript_rows
from evals.advice_stage import calibrate, fit_stage

FOLDS = 4
TRAINING_LOG = ROOT / "evals" / "reports" / "advice_training.json"
FORUMS = ("askparents", "needadvice")


@dataclass(frozen=True)
class Config:
    """One candidate model.

    Attributes: L2 strength `c`, value of a present word cue (0 = embedding only), and how many
    times each speech row counts (speech rows are few; repetition keeps the forum rows from
    drowning them out).
    """

    c: float
    cue_scale: float
    speech_weight: int

    @property
    def name(self) -> str:
        """Short label for the log."""
        return f"C={self.c}, cues x{self.cue_scale}, speech x{self.speech_weight}"


def cue_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Binary (n, BUCKETS) matrix of the sentences' hashed cues (as the detector computes them)."""
    rows, cols = [], []
    for i, text in enumerate(texts):
        found = cue_buckets(text)
        rows += [i] * len(found)
        cols += found
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), BUCKETS))


@dataclass
class Data:
    """Labelled sentences with their embeddings, cue matrix and fold groups."""

    rows: list[Example]
    x: np.ndarray
    cues: sparse.csr_matrix
    y: np.ndarray
    groups: np.ndarray

    @classmethod
    def of(cls, rows: list[Example]) -> Data:
        """Embed and featurise `rows`."""
        texts = [r.text for r in rows]
        return cls(rows, embed(texts), cue_matrix(texts), np.array([r.label for r in rows]),
                   np.array([r.source for r in rows]))

    def take(self, idx: np.ndarray, repeat: int = 1) -> Data:
        """Rows `idx`, each `repeat` times."""
        idx = np.repeat(np.asarray(idx), repeat)
        return Data([self.rows[i] for i in idx], self.x[idx], self.cues[idx], self.y[idx],
                    self.groups[idx])

    def features(self, cue_scale: float) -> np.ndarray | sparse.csr_matrix:
        """The embedding, then the cues scaled by `cue_scale` (none when 0)."""
        if not cue_scale:
            return self.x
        return sparse.hstack([sparse.csr_matrix(self.x), self.cues * cue_scale]).tocsr()


def join(*parts: Data) -> Data:
    """Rows of all parts, in order."""
    return Data([r for p in parts for r in p.rows], np.vstack([p.x for p in parts]),
                sparse.vstack([p.cues for p in parts]).tocsr(),
                np.concatenate([p.y for p in parts]), np.concatenate([p.groups for p in parts]))


def fit(config: Config, train: Data) -> LogisticRegression:
    """One logistic regression over the config's features."""
    model = LogisticRegression(C=config.c, max_iter=3000)
    return model.fit(train.features(config.cue_scale), train.y)


def proba(config: Config, model: LogisticRegression, data: Data) -> np.ndarray:
    """Advice probabilities of `data` rows."""
    return model.predict_proba(data.features(config.cue_scale))[:, 1]


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


def out_of_fold(config: Config, base: Data, pool: Data) -> np.ndarray:
    """Out-of-fold probabilities for `pool` (folds by group); `base` is in every fit."""
    out = np.zeros(len(pool.rows), dtype=np.float32)
    for fit_idx, held in GroupKFold(n_splits=FOLDS).split(pool.x, pool.y, pool.groups):
        train = join(base, pool.take(fit_idx, config.speech_weight))
        out[held] = proba(config, fit(config, train), pool.take(held))
    return out


def select(forum: Data, devs: dict[str, Data], speech: Data
           ) -> tuple[Config, Config, dict[str, object]]:
    """Score the candidates on forum dev + speech out-of-fold.

    Returns the best candidate, the best one without word cues (for the embedding head) and the
    table of scores.
    """
    table: dict[str, object] = {}

    def score(config: Config) -> float:
        model = fit(config, join(forum, speech.take(np.arange(len(speech.rows)),
                                                    config.speech_weight)))
        sets = [(proba(config, model, d), d.y) for d in devs.values()]
        sets.append((out_of_fold(config, forum, speech), speech.y))
        threshold, mean = best_threshold(sets)
        table[config.name] = {"threshold": threshold, "mean_dev_f1": round(mean, 4),
                              **{n: round(f1_at(p, y, threshold), 4) for n, (p, y)
                                 in zip([*devs, "speech_oof"], sets, strict=True)}}
        print(config.name, table[config.name], flush=True)
        return mean

    grid = [Config(c, s, 10) for s in (0.0, 0.1, 0.2, 0.3) for c in (0.5, 1.0, 2.0)]
    scored = {config: score(config) for config in grid}
    best = max(scored, key=scored.__getitem__)
    for weight in (5, 20):
        other = Config(best.c, best.cue_scale, weight)
        scored[other] = score(other)
    best = max(scored, key=scored.__getitem__)
    plain = max((c for c in scored if not c.cue_scale), key=scored.__getitem__)
    return best, plain, table


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def tagged(name: str) -> list[Example]:
    """Rows of one forum file, sources prefixed by the forum (fold groups stay distinct)."""
    forum = name.split("_")[0]
    return [Example(r.text, r.label, f"{forum}:{r.source}") for r in advice_split(name)]


def train() -> tuple[AdviceDetector, dict[str, object]]:
    """Select on dev, fit both heads on train with their dev thresholds; returns detector, log."""
    forum = Data.of([r for f in FORUMS for r in tagged(f"{f}_train")])
    devs = {f"{f}_dev": Data.of(tagged(f"{f}_dev")) for f in FORUMS}
    speech = Data.of(transcript_rows("train"))
    config, emb_config, table = select(forum, devs, speech)
    every = np.arange(len(speech.rows))
    model = fit(config, join(forum, speech.take(every, config.speech_weight)))
    emb_model = fit(emb_config, join(forum, speech.take(every, emb_config.speech_weight)))
    threshold = float(table[config.name]["threshold"])  # type: ignore[index]
    emb_threshold = float(table[emb_config.name]["threshold"])  # type: ignore[index]
    coef = model.coef_.reshape(-1).astype(np.float32)
    dim = forum.x.shape[1]
    text = TextHead(coef[:dim], coef[dim:], float(model.intercept_[0]), config.cue_scale)
    shift = _logit(threshold) - _logit(emb_threshold)
    layers = [(emb_model.coef_.T.astype(np.float32),
               (emb_model.intercept_ + shift).astype(np.float32))]
    detector = AdviceDetector(layers=layers, threshold=threshold, text=text)
    training = join(forum, speech.take(every, config.speech_weight))
    weights, bias = fit_stage(training.cues, training.y, config.c)
    detector.cue_stage, stage_log = calibrate(detector, weights, bias)
    log: dict[str, object] = {
        "data": training_files(), "train_forum": len(forum.rows),
        "dev_forum": sum(len(d.rows) for d in devs.values()), "train_speech": len(speech.rows),
        "speech_train_sources": sorted(set(speech.groups.tolist())),
        "selection": table, "chosen": config.name, "threshold": threshold,
        "embedding_head": {"config": emb_config.name, "own_threshold": emb_threshold,
                           "bias_shift": round(shift, 4)},
        "cue_stage": {"config": f"cues only, C={config.c}, speech x{config.speech_weight}",
                      **stage_log},
    }
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
