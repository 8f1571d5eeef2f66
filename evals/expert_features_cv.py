"""Does another signal help expert finding? Out-of-fold on QMSum train topics, by meeting.

Each family adds one signal to the deployed score (`features/peers/expertise.py`: a speaker's
share of the words where the topic is localised, plus `talk_prior` times their share of the
meeting) with a weight chosen, per fold, on the other folds' topics (best MRR, then hit@1), as
`evals/fit_expertise.py` chooses the deployed weights. Families (all shares over speakers):

- `answers`: words of turns answering someone else's question that shares a topic term;
- `asks`: the topic relevance of one's own questions (a negative weight: askers are not experts);
- `narrow`: the same share with a narrow stretch (width 2, power 1) beside the deployed one;
- `segment`: words inside the best contiguous span (maximum sum of the smoothed relevance
  minus 0.35 of its peak): concentration in one stretch instead of spread;
- `talk_norm`: the share divided by talk share ** a (normalising by who talks most);
- `speaker_bm25`: BM25 of the topic against each speaker's whole talk in the meeting (the
  classic candidate model of expert finding: who uses the topic's words at all);
- `long_turns`: the deployed share counted on turns of `LONG_TURN_WORDS`+ words only (who
  presents the topic rather than comments on it);
- `coverage`: the IDF-weighted share of the topic's distinct terms each speaker says inside the
  stretch (profile >= 0.5);
- `prf`: the share with the topic's stretch found again after adding the `PRF_TERMS` terms most
  typical of its first stretch (pseudo-relevance feedback, BM25 over the expanded terms);
- `pairwise`: learning to rank instead of hand weights: a pairwise logistic model over all the
  shares above (and the talk share), gold speaker against each other speaker of the topic,
  fitted on the other folds' topics (L2 `PAIRWISE_L2`), scores the held-out fold.

The deployed weights themselves were fitted on all train, so a family whose folds all choose
0 reproduces the deployed, in-sample, figure; only the added weight is out-of-fold. Val is
never read (last run: `evals/results/expert_features_cv.md`).

Run: `python -m evals.expert_features_cv [--data PKL] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import math
import pickle
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import content_terms
from companion.features.peers.expertise import feedback_terms, smooth
from companion.features.peers.localise import bm25_turns, rescale
from evals.expert_data import CACHE
from evals.fit_expertise import FOLDS, Scorer, scores

BASE = {"lexical_share": 0.75, "width": 8.0, "power": 2.0, "talk_prior": 0.05}
Row = dict[str, np.ndarray]


def _profile(rel: np.ndarray, width: float, power: float) -> np.ndarray:
    p = smooth(rel, width)
    peak = float(p.max()) if len(p) else 0.0
    return np.asarray((p / peak) ** power) if peak > 0 else np.zeros(len(rel))


def _best_span(values: np.ndarray) -> tuple[int, int]:
    best, cur, start, span = -np.inf, 0.0, 0, (0, 0)
    for i, x in enumerate(values):
        cur, start = (x, i) if cur <= 0 else (cur + x, start)
        if cur > best:
            best, span = cur, (start, i)
    return span


def signals(sc: Scorer, topic: object) -> Row:
    """Every family's per-speaker share for one topic."""
    m, lengths = sc.meeting, sc.lengths
    loc = sc.localise(topic)  # type: ignore[arg-type]
    rel = loc.relevance(BASE["lexical_share"])
    prof = _profile(rel, BASE["width"], BASE["power"])
    asks = np.array(m.questions, dtype=bool)
    answers = np.zeros(len(lengths), dtype=bool)
    for i in range(1, len(lengths)):
        answers[i] = asks[i - 1] and loc.lexical[i - 1] > 0 and m.speakers[i - 1] != m.speakers[i]
    smoothed = smooth(rel, 2.0)
    a, b = _best_span(smoothed - 0.35 * float(smoothed.max() or 1.0))
    span = np.zeros(len(lengths))
    span[a : b + 1] = 1.0

    def share(weights: np.ndarray) -> np.ndarray:
        out = np.bincount(sc.owners, weights=weights, minlength=len(sc.people))
        return out / (float(out.sum()) or 1.0)

    long_turns = lengths >= LONG_TURN_WORDS
    extra = feedback_terms(set(content_terms(topic.topic)),  # type: ignore[attr-defined]
                           [set(c) for c in m.terms], prof, PRF_TERMS)
    expanded = rescale(bm25_turns(list(extra), m.terms)) if extra else np.zeros(len(rel))
    prf = _profile(rel + expanded, BASE["width"], BASE["power"])
    return {"base": share(prof * lengths), "talk": share(lengths),
            "answers": share(answers * lengths), "asks": share(asks * rel),
            "narrow": share(_profile(rel, 2.0, 1.0) * lengths), "segment": share(span * lengths),
            "speaker_bm25": _norm(_speaker_bm25(sc, topic)),
            "long_turns": share(prof * lengths * long_turns),
            "coverage": _norm(_coverage(sc, topic, prof >= 0.5)),
            "prf": share(prf * lengths)}


def _norm(per_speaker: np.ndarray) -> np.ndarray:
    """A per-speaker score as shares summing to 1 (all zero stays zero)."""
    return per_speaker / (float(per_speaker.sum()) or 1.0)


LONG_TURN_WORDS = 40
PRF_TERMS = 10


def _speaker_terms(sc: Scorer, keep: np.ndarray | None = None) -> list[Counter[str]]:
    docs = [Counter[str]() for _ in sc.people]
    for i, (owner, terms) in enumerate(zip(sc.owners, sc.meeting.terms, strict=True)):
        if keep is None or keep[i]:
            docs[owner].update(terms)
    return docs


def _speaker_bm25(sc: Scorer, topic: object) -> np.ndarray:
    """BM25 of the topic against each speaker's whole talk in the meeting (candidate model)."""
    return bm25_turns(content_terms(topic.topic), _speaker_terms(sc))  # type: ignore[attr-defined]


def _coverage(sc: Scorer, topic: object, inside: np.ndarray) -> np.ndarray:
    """IDF-weighted share of the topic's distinct terms each speaker says in the stretch."""
    q = set(content_terms(topic.topic))  # type: ignore[attr-defined]
    docs = _speaker_terms(sc, inside)
    n = len(sc.meeting.terms)
    df = {t: sum(t in c for c in sc.meeting.terms) for t in q}
    w = {t: math.log(1 + n / (1 + df[t])) for t in q if df[t]}
    total = sum(w.values()) or 1.0
    return np.array([sum(v for t, v in w.items() if d[t]) / total for d in docs])


FAMILIES: dict[str, tuple[tuple[float, ...], Callable[[Row, float], np.ndarray]]] = {
    "answers": ((0.0, 0.1, 0.2, 0.5, 1.0), lambda r, w: r["base"] + w * r["answers"]),
    "asks": ((0.0, -0.1, -0.3), lambda r, w: r["base"] + w * r["asks"]),
    "narrow": ((0.0, 0.3, 1.0), lambda r, w: r["base"] + w * r["narrow"]),
    "segment": ((0.0, 0.1, 0.3, 1.0), lambda r, w: r["base"] + w * r["segment"]),
    "talk_norm": ((0.0, 0.1, 0.2, 0.5), lambda r, w: r["base"] * (r["talk"] + 1e-3) ** -w),
    "speaker_bm25": ((0.0, 0.1, 0.2, 0.5, 1.0), lambda r, w: r["base"] + w * r["speaker_bm25"]),
    "long_turns": ((0.0, 0.1, 0.3, 1.0), lambda r, w: r["base"] + w * r["long_turns"]),
    "coverage": ((0.0, 0.1, 0.2, 0.5), lambda r, w: r["base"] + w * r["coverage"]),
    "prf": ((0.0, 0.3, 1.0, 3.0), lambda r, w: r["base"] + w * r["prf"]),
    "narrow + talk_norm 0.2": ((0.0, 0.3, 1.0),
                               lambda r, w: (r["base"] + w * r["narrow"])
                               * (r["talk"] + 1e-3) ** -0.2),
}


def _meeting_folds(rows: list[tuple[str, Row, int]]) -> np.ndarray:
    """The fold of each topic: meetings in name order, split into FOLDS contiguous groups."""
    order = sorted({mid for mid, _, _ in rows})
    fold_of = {mid: i * FOLDS // len(order) for i, mid in enumerate(order)}
    return np.array([fold_of[mid] for mid, _, _ in rows])


def family_cv(rows: list[tuple[str, Row, int]], grid: tuple[float, ...],
              score: Callable[[Row, float], np.ndarray]) -> dict[str, Any]:
    """Out-of-fold figures with the weight chosen on the other folds, and the weights chosen."""
    ranks: dict[float, np.ndarray] = {}
    for w in grid:
        out = []
        for _, r, gold in rows:
            s = score(r, w) + BASE["talk_prior"] * r["talk"]
            out.append(1 + int((s > s[gold]).sum()))
        ranks[w] = np.array(out)
    folds = _meeting_folds(rows)
    oof = np.zeros(len(rows), dtype=int)
    chosen = []
    for f in range(FOLDS):
        inside = folds != f
        best = max(grid, key=lambda w: (round(float((1 / ranks[w][inside]).mean()), 4),
                                        float((ranks[w][inside] == 1).mean())))
        chosen.append(best)
        oof[~inside] = ranks[best][~inside]
    return {"out_of_fold": scores([int(x) for x in oof]), "fold_choices": chosen}


FEATURES = ("base", "talk", "answers", "asks", "narrow", "segment")
FEATURES_NEW = (*FEATURES, "speaker_bm25", "long_turns", "coverage")
PAIRWISE_L2 = 1e-3


def _pairs(rows: list[tuple[str, Row, int]], keep: np.ndarray,
           features: tuple[str, ...] = FEATURES) -> np.ndarray:
    """Gold-minus-other feature differences for the topics at `keep`."""
    out: list[np.ndarray] = []
    for (_, r, gold), use in zip(rows, keep, strict=True):
        if not use:
            continue
        x = np.stack([r[f] for f in features], axis=1)
        out.extend(x[gold] - x[i] for i in range(len(x)) if i != gold)
    return np.asarray(out)


def _fit_pairwise(diffs: np.ndarray, steps: int = 500, rate: float = 1.0) -> np.ndarray:
    """Weights w maximising mean log sigmoid(w . diff) - L2 |w|^2 (plain gradient ascent)."""
    scale = diffs.std(axis=0) + 1e-9
    z = diffs / scale
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(np.clip(z @ w, -30, 30)))
        w += rate * ((z * p[:, None]).mean(axis=0) - 2 * PAIRWISE_L2 * w)
    return w / scale


def pairwise_cv(rows: list[tuple[str, Row, int]],
                features: tuple[str, ...] = FEATURES) -> dict[str, Any]:
    """Out-of-fold figures of the pairwise logistic model, fitted per fold on the others."""
    folds = _meeting_folds(rows)
    oof = np.zeros(len(rows), dtype=int)
    chosen = []
    for f in range(FOLDS):
        w = _fit_pairwise(_pairs(rows, folds != f, features))
        chosen.append([round(float(x), 2) for x in w])
        for i in np.flatnonzero(folds == f):
            _, r, gold = rows[i]
            s = np.stack([r[k] for k in features], axis=1) @ w
            oof[i] = 1 + int((s > s[gold]).sum())
    return {"out_of_fold": scores([int(x) for x in oof]), "fold_choices": chosen}


def main() -> None:
    """Run every family and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "expert_train.pkl")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    meetings, topics = pickle.loads(args.data.read_bytes())
    scorers = {mid: Scorer(m) for mid, m in meetings.items()}
    rows = [(t.meeting_id, signals(scorers[t.meeting_id], t),
             scorers[t.meeting_id].people.index(t.gold)) for t in topics]
    figures = {name: family_cv(rows, grid, fn) for name, (grid, fn) in FAMILIES.items()}
    figures["deployed (no extra)"] = family_cv(rows, (0.0,), FAMILIES["answers"][1])
    figures["pairwise"] = pairwise_cv(rows)
    figures["pairwise + speaker_bm25, long_turns, coverage"] = pairwise_cv(rows, FEATURES_NEW)
    lines = [f"## Extra signals for expert finding, QMSum train out-of-fold ({len(rows)} topics)",
             "", "| family | hit@1 | hit@3 | MRR | weight per fold |", "|---|---:|---:|---:|---|"]
    for name, fig in figures.items():
        s = fig["out_of_fold"]
        lines.append(f"| {name} | {s['hit@1']:.3f} | {s['hit@3']:.3f} | {s['mrr']:.3f} "
                     f"| {fig['fold_choices']} |")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
