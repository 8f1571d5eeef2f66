"""The advice detector's cue pre-stage: fit on the detector's training data, threshold on meetings.

The pre-stage (`companion.core.advice.CueStage`) is a logistic regression over the detector's
hashed word cues alone, fitted on the same rows as the detector (forum train + speech train,
speech repeated as for the detector). Extraction runs it before embedding anything, so its
threshold is set for recall *of the full detector*: on the sentences of QMSum *train* meetings
that pass extraction's `worth_scoring` (unlabelled; no meeting of the speech test part), the
highest threshold at which the pre-stage still passes `KEEP` of the sentences the full detector
keeps. A second candidate is the detector's own text-head cue weights (its logit without the
embedding term); the one that passes fewer characters there is shipped.

The share of sentences and characters it passes there is logged (in-sample for the threshold);
`evals.advice_report` measures the same on QMSum val meetings (out-of-sample).

Run: `python -m evals.advice_stage` (only the pre-stage; `evals.train_advice` runs it too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from companion.core.advice import AdviceDetector, CueStage
from companion.core.settings import TipsSettings
from evals.advice_data import ROOT, embed, transcript_rows

KEEP = 0.97  # share of the full detector's keeps the pre-stage must pass on calibration speech
QMSUM = ROOT.parent / "shared" / "data" / "qmsum"
CALIBRATION_EVERY = 4  # every 4th eligible train meeting: ~27 meetings, ~9,000 sentences
CALIBRATION_CACHE = Path("/work/cache/bench/advice_calibration.npz")  # only a cache


def meeting_sentences(files: list[Path]) -> list[str]:
    """Sentences of the meetings that pass extraction's `worth_scoring` (outside tips lists)."""
    from companion.features.tips.extraction import _sentence_spans, is_tips_heading, worth_scoring
    from ingest.parsers import load_session

    settings = TipsSettings()
    out: list[str] = []
    for path in files:
        for turn in load_session(path).turns:
            if is_tips_heading(turn.section, settings):
                continue
            out += [s for sp in _sentence_spans(turn.text)
                    if worth_scoring(s := turn.text[sp.start : sp.end], settings)]
    return out


def calibration_files() -> list[Path]:
    """QMSum train meetings for the threshold: none of the speech test part's sources."""
    test = {r.source for r in transcript_rows("test")}
    eligible = [p for p in sorted((QMSUM / "train").glob("*.json"))
                if f"qmsum:{p.stem}" not in test]
    return eligible[::CALIBRATION_EVERY]


def fit_stage(cues: object, labels: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Cue weights and intercept of a logistic regression over the binary cue matrix."""
    model = LogisticRegression(C=c, max_iter=3000).fit(cues, labels)
    return model.coef_.reshape(-1).astype(np.float32), float(model.intercept_[0])


def survival(detector: AdviceDetector, stage: CueStage, texts: list[str],
             vectors: np.ndarray) -> dict[str, float]:
    """What the pre-stage passes: share of the full detector's keeps, sentences, characters."""
    full = detector.is_advice(vectors, texts=texts)
    passes = stage.passes(texts)
    chars = np.array([len(t) for t in texts], dtype=np.float64)
    return {
        "sentences": len(texts),
        "full_keeps": int(full.sum()),
        "keeps_passed": round(float(passes[full].mean()) if full.any() else 1.0, 4),
        "sentences_passed": round(float(passes.mean()), 4),
        "chars_passed": round(float(chars[passes].sum() / chars.sum()), 4),
    }


def calibrate(detector: AdviceDetector, weights: np.ndarray, bias: float
              ) -> tuple[CueStage, dict[str, object]]:
    """The pre-stage that passes the fewest characters while passing `KEEP` of the keeps.

    Two candidates, each at the highest threshold that still passes `KEEP` of what the full
    detector keeps on the calibration meetings: the cue-only regression (`weights`, `bias`) and
    the detector's own text-head cue weights (its logit without the embedding term).
    """
    files = calibration_files()
    texts = meeting_sentences(files)
    vectors = embed(texts, path=CALIBRATION_CACHE)
    full = detector.is_advice(vectors, texts=texts)
    candidates = {"cue-only logistic regression": (weights, bias)}
    if detector.text is not None:
        candidates["text head's cue weights"] = (detector.text.cues * detector.text.scale, 0.0)
    tried: dict[str, dict[str, float]] = {}
    stages: dict[str, CueStage] = {}
    for name, (w, b) in candidates.items():
        logits = CueStage(w, b, 0.0).logits(texts)
        threshold = float(np.quantile(logits[full], 1.0 - KEEP, method="lower")) \
            if full.any() else float(logits.min())
        stages[name] = CueStage(w.astype(np.float32), b, threshold)
        tried[name] = {"threshold_logit": round(threshold, 4),
                       **survival(detector, stages[name], texts, vectors)}
    chosen = min(tried, key=lambda n: tried[n]["chars_passed"])
    log = {"keep": KEEP, "chosen": chosen, "candidates_in_sample": tried,
           "meetings": [p.stem for p in files],
           "calibration_in_sample": tried[chosen]}
    return stages[chosen], log


def refit_shipped() -> None:
    """Fit and calibrate only the pre-stage of the shipped detector (the full detector as is).

    Same result as the pre-stage step of `python -m evals.train_advice` (which refits the full
    detector first; its fits are deterministic), for when only the pre-stage changes.
    """
    import json

    from companion.core.advice import DEFAULT_PATH
    from evals.train_advice import FORUMS, TRAINING_LOG, Data, join, tagged

    log = json.loads(TRAINING_LOG.read_text())
    chosen = log["chosen"]  # "C=..., cues x..., speech x..."
    c = float(chosen.split(",")[0].split("=")[1])
    weight = int(chosen.rsplit("x", 1)[1])
    forum = Data.of([r for f in FORUMS for r in tagged(f"{f}_train")])
    speech = Data.of(transcript_rows("train"))
    training = join(forum, speech.take(np.arange(len(speech.rows)), weight))
    detector = AdviceDetector.load()
    weights, bias = fit_stage(training.cues, training.y, c)
    detector.cue_stage, stage_log = calibrate(detector, weights, bias)
    detector.save(DEFAULT_PATH)
    log["cue_stage"] = {"config": f"cues only, C={c}, speech x{weight}", **stage_log}
    TRAINING_LOG.write_text(json.dumps(log, indent=1) + "\n")
    print(json.dumps(log["cue_stage"], indent=1))


if __name__ == "__main__":
    refit_shipped()
