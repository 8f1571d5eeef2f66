"""Localising a topic with the learned fusion's chunk probabilities: out-of-fold on QMSum train.

The deployed localisation (`features/peers/localise.py`) blends BM25 over a meeting's turns with
the stored chunk cosines. The answers feature's fusion model (`retrieval/fusion.py`, fitted on
QMSum train questions) gives each retrieved chunk the probability that it holds the evidence;
here each turn takes the best probability of a retrieved chunk holding it (0 when none does),
rescaled within the meeting like the other signals (`localise.rescale`), and is blended in
with share `fusion` (not adopted: evals/README.md, peers):

    relevance = (1 - fusion) * deployed relevance + fusion * rescaled probability

then smoothed (`width`), sharpened (`power`) and scored as deployed (talk prior 0.05, answers
0). `fusion`, `width` and `power` are chosen per fold on the other folds' topics (best MRR, then
hit@1; folds by meeting, as `evals/fit_expertise.py`). Also printed:

- fixed points over all topics: deployed (fusion 0, width 8, power 2: its weights were fitted
  on all train, so in-sample) and fusion alone at the deployed width and power;
- the same figures on the meetings of train shards 3 and 5 only (`evals/train_fusion.py` fitted
  the fusion model on shards 0, 1, 2, 4: there its probabilities are in-sample);
- the ceiling of localising: the gold spans themselves as the stretch (diagnostic; the gold
  speaker is the top speaker by words there, so only the talk prior keeps it below 1);
- localisation (diagnostic): the share of the stretch's weight (profile x words) that falls in
  the topic's gold spans, and how often the stretch's peak turn is in them; the gold spans'
  share of the meeting's words is the level of a flat stretch.

Inputs: `evals.expert_data` (meetings, topics with spans) and `evals.fusion_probs`.
Val is never read. Run: `python -m evals.localise_cv [--out FILE]`.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import content_terms
from companion.features.peers.expertise import ExpertiseWeights, smooth
from companion.features.peers.localise import localise, rescale
from evals.expert_data import CACHE, PreparedTopic
from evals.fit_expertise import FOLDS, Scorer, best_point, rank_of, scores
from evals.fusion_probs import ProbRows

DEPLOYED = {"lexical_share": 0.75, "width": 8.0, "power": 2.0, "talk_prior": 0.05,
            "answer_weight": 0.0}
GRID: dict[str, tuple[float, ...]] = {
    "fusion": (0.0, 0.25, 0.5, 0.75, 1.0),
    "width": (2.0, 4.0, 8.0, 16.0),
    "power": (1.0, 2.0, 4.0),
}
CLEAN_SHARDS = (3, 5)
SHARD_EVERY = 6


def turn_probability(n_turns: int, rows: ProbRows) -> np.ndarray:
    """Per turn, the best fusion probability of a retrieved chunk holding it (0: none)."""
    out = np.zeros(n_turns)
    for start, end, prob, _ in rows:
        a, b = max(0, start), min(n_turns - 1, end)
        if a <= b:
            out[a : b + 1] = np.maximum(out[a : b + 1], prob)
    return out


def profile_of(rel: np.ndarray, width: float, power: float) -> np.ndarray:
    """The stretch: smoothed relevance over its peak, to `power` (as `topic_profile`)."""
    p = smooth(rel, width)
    peak = float(p.max()) if len(p) else 0.0
    return np.asarray((p / peak) ** power) if peak > 0 else np.zeros(len(rel))


def in_spans(n_turns: int, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """A 0/1 mask of the turns inside the gold spans."""
    mask = np.zeros(n_turns, dtype=bool)
    for a, b in spans:
        mask[max(0, a) : min(n_turns - 1, b) + 1] = True
    return mask


class TopicData:
    """One topic's fixed signals: the deployed relevance and the rescaled fusion probability."""

    def __init__(self, sc: Scorer, t: PreparedTopic, rows: ProbRows) -> None:
        self.scorer = sc
        self.gold = t.gold
        m = sc.meeting
        n = len(sc.lengths)
        self.base = localise(content_terms(t.topic), m.terms, m.ranges, m.matrix,
                             t.vector).relevance(DEPLOYED["lexical_share"])
        self.fusion = rescale(turn_probability(n, rows))
        self.mask = in_spans(n, t.spans)

    def relevance(self, fusion: float) -> np.ndarray:
        """The blend at this fusion share."""
        return (1 - fusion) * self.base + fusion * self.fusion

    def rank(self, fusion: float, width: float, power: float) -> int | None:
        """Rank of the gold speaker at this point."""
        w = replace(ExpertiseWeights(), width=width, power=power,
                    talk_prior=DEPLOYED["talk_prior"], answer_weight=DEPLOYED["answer_weight"])
        return rank_of(self.scorer.ranking(self.relevance(fusion), w), self.gold)

    def oracle_rank(self) -> int | None:
        """Rank of the gold speaker when the stretch is exactly the gold spans (a ceiling)."""
        w = replace(ExpertiseWeights(), width=0.0, power=1.0,
                    talk_prior=DEPLOYED["talk_prior"], answer_weight=DEPLOYED["answer_weight"])
        return rank_of(self.scorer.ranking(self.mask.astype(float), w), self.gold)

    def localisation(self, fusion: float, width: float, power: float) -> tuple[float, bool]:
        """Share of the stretch's word weight in the gold spans; whether its peak is in them."""
        prof = profile_of(self.relevance(fusion), width, power)
        weight = prof * self.scorer.lengths
        total = float(weight.sum())
        share = float(weight[self.mask].sum()) / total if total > 0 else 0.0
        return share, bool(total > 0 and self.mask[int(np.argmax(prof))])


def out_of_fold(ranks: dict[tuple[float, ...], list[int | None]], folds: Sequence[int]
                ) -> tuple[list[int | None], list[tuple[float, ...]]]:
    """Each fold's topics ranked at the point best on the other folds; the points chosen."""
    oof: list[int | None] = [None] * len(folds)
    chosen = []
    for fold in range(FOLDS):
        point = best_point(ranks, [i for i, f in enumerate(folds) if f != fold])
        chosen.append(point)
        for i, f in enumerate(folds):
            if f == fold:
                oof[i] = ranks[point][i]
    return oof, chosen


def _row(name: str, ranks: Sequence[int | None]) -> str:
    s = scores(ranks)
    return f"| {name} | {s['n']} | {s['hit@1']:.3f} | {s['hit@3']:.3f} | {s['mrr']:.3f} |"


def run(meetings: dict[str, Any], topics: list[PreparedTopic],
        probs: dict[tuple[str, str], ProbRows]) -> list[str]:
    """Every figure, as markdown lines."""
    scorers = {mid: Scorer(m) for mid, m in meetings.items()}
    topics = [t for t in topics if (t.meeting_id, t.topic) in probs]
    data = [TopicData(scorers[t.meeting_id], t, probs[(t.meeting_id, t.topic)]) for t in topics]
    ranks = {p: [d.rank(*p) for d in data] for p in itertools.product(*GRID.values())}
    order = sorted(meetings)
    fold_of = {mid: i * FOLDS // len(order) for i, mid in enumerate(order)}
    files = sorted(p.stem for p in (Path(__file__).resolve().parent.parent.parent / "shared"
                                    / "data" / "qmsum" / "train").glob("*.json"))
    clean_meetings = {m for k in CLEAN_SHARDS for m in files[k::SHARD_EVERY]}
    oof, chosen = out_of_fold(ranks, [fold_of[t.meeting_id] for t in topics])
    oof_base, _ = out_of_fold({p: r for p, r in ranks.items() if p[0] == 0.0},
                              [fold_of[t.meeting_id] for t in topics])
    talk = [rank_of(meetings[t.meeting_id].talkative, t.gold) for t in topics]
    deployed = (0.0, DEPLOYED["width"], DEPLOYED["power"])
    alone = (1.0, DEPLOYED["width"], DEPLOYED["power"])
    clean = [i for i, t in enumerate(topics) if t.meeting_id in clean_meetings]
    lines = [f"## Localising with fusion probabilities, QMSum train ({len(topics)} topics, "
             f"{len({t.meeting_id for t in topics})} meetings)", "",
             "| system | n | hit@1 | hit@3 | MRR |", "|---|---:|---:|---:|---:|"]
    systems = {"blend, out-of-fold by meeting": oof,
               "fusion 0, width and power out-of-fold": oof_base,
               "deployed (IN-SAMPLE weights)": ranks[deployed],
               "fusion alone, width 8, power 2": ranks[alone], "talked most": talk,
               "gold spans as the stretch (ceiling, not a system)":
                   [d.oracle_rank() for d in data]}
    for name, r in systems.items():
        lines.append(_row(name, r))
    for name, r in systems.items():
        lines.append(_row(f"shards 3+5 only: {name}", [r[i] for i in clean]))
    lines += ["", f"fold choices (fusion, width, power): {chosen}", "",
              "| localisation (diagnostic) | stretch weight in gold spans | peak in gold spans |",
              "|---|---:|---:|"]
    for name, point in (("deployed", deployed), ("fusion alone", alone),
                        ("blend 0.5", (0.5, DEPLOYED["width"], DEPLOYED["power"]))):
        got = [d.localisation(*point) for d in data]
        lines.append(f"| {name} | {np.mean([g[0] for g in got]):.3f} "
                     f"| {np.mean([g[1] for g in got]):.3f} |")
    flat = np.mean([float(d.scorer.lengths[d.mask].sum() / (d.scorer.lengths.sum() or 1))
                    for d in data])
    lines.append(f"| flat (gold spans' share of the meeting's words) | {flat:.3f} | |")
    return lines


def main() -> None:
    """Run and print (and write) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "expert_train.pkl")
    parser.add_argument("--probs", type=Path, default=CACHE / "fusion_probs_train.pkl")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    meetings, topics = pickle.loads(args.data.read_bytes())
    probs = pickle.loads(args.probs.read_bytes())
    lines = run(meetings, topics, probs)
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
