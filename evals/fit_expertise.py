"""Fit peers' expert finding on QMSum train topics, out-of-fold by meeting.

Model (the product's, `features/peers/localise.py` + `expertise.py`): each turn of the topic's
meeting gets a relevance blended from BM25 over the meeting's turns and the cosine of the
topic with the stored vector of the chunk holding it (`lexical_share`); the relevance is
smoothed over `width` turns and sharpened by `power` (localising the topic); each speaker then
scores their share of words spoken there, answers to others' questions counting
`1 + answer_weight`, plus `talk_prior` times their share of the whole meeting.

Gold: `evals.expert_gold` on train (the top speaker by words in a topic's gold spans, built as
`derived/expert_finding_val.jsonl` is for val). Meetings and topics come from
`evals.expert_data` (only train meetings whose chunk vectors are cached). Figures:

- out-of-fold: meetings split in `FOLDS` groups (by name order); each group's topics are scored
  with the grid point that is best (MRR, then hit@1) on the other groups' topics;
- the weights written (`--out`) are the best on all train topics; their train figure is
  in-sample and labelled so. Val is never read.

Run: `python -m evals.fit_expertise [--data PKL] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.terms import content_terms
from companion.features.peers.expertise import (
    ExpertiseWeights,
    smooth,
    speaker_scores,
)
from companion.features.peers.localise import Localisation, localise
from evals.expert_data import CACHE, PreparedMeeting, PreparedTopic

OUT = CACHE / "expertise-weights.json"
FOLDS = 5
GRID: dict[str, tuple[float, ...]] = {
    "lexical_share": (0.0, 0.25, 0.5, 0.75, 1.0),
    "width": (0.0, 1.0, 2.0, 4.0, 8.0, 16.0),
    "power": (0.5, 1.0, 2.0, 4.0),
    "answer_weight": (0.0, 0.5),
    "talk_prior": (0.0, 0.05, 0.2),
}


class Scorer:
    """One meeting's fixed arrays, so a grid point costs a few numpy calls per topic."""

    def __init__(self, m: PreparedMeeting) -> None:
        self.people = sorted(set(m.speakers))
        index = {p: i for i, p in enumerate(self.people)}
        self.owners = np.array([index[s] for s in m.speakers], dtype=int)
        self.lengths = np.array([len(x.split()) for x in m.texts], dtype=float)
        self.answered = np.array(
            [bool(i) and m.questions[i - 1] and m.speakers[i - 1] != m.speakers[i]
             for i in range(len(m.speakers))], dtype=bool)
        self.meeting = m

    def localise(self, t: PreparedTopic) -> Localisation:
        """The topic's per-turn signals in this meeting."""
        m = self.meeting
        return localise(content_terms(t.topic), m.terms, m.ranges, m.matrix, t.vector)

    def ranking(self, rel: np.ndarray, w: ExpertiseWeights) -> list[str]:
        """Speakers best first for one relevance vector."""
        profile = smooth(rel, w.width)
        peak = float(profile.max()) if len(profile) else 0.0
        profile = (profile / peak) ** w.power if peak > 0 else np.zeros(len(rel))
        found = speaker_scores(profile, self.lengths, self.owners, self.answered,
                               len(self.people), w)
        order = sorted(range(len(self.people)), key=lambda i: (-found[i], self.people[i]))
        return [self.people[i] for i in order]


def rank_of(ranked: Sequence[str], gold: str) -> int | None:
    """1-based rank of gold, or None."""
    return ranked.index(gold) + 1 if gold in ranked else None


def scores(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@3, MRR."""
    n = max(1, len(ranks))
    return {"n": len(ranks), "hit@1": sum(r == 1 for r in ranks) / n,
            "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
            "mrr": sum(1 / r for r in ranks if r) / n}


def grid_ranks(topics: list[PreparedTopic], scorers: dict[str, Scorer]
               ) -> dict[tuple[float, ...], list[int | None]]:
    """Rank of the gold speaker for every topic at every grid point."""
    locs = [scorers[t.meeting_id].localise(t) for t in topics]
    out: dict[tuple[float, ...], list[int | None]] = {}
    names = list(GRID)
    for share in GRID["lexical_share"]:
        rels = [loc.relevance(share) for loc in locs]
        for rest in itertools.product(*(GRID[k] for k in names[1:])):
            params: dict[str, Any] = dict(zip(names[1:], rest, strict=True))
            w = replace(ExpertiseWeights(), **params)
            out[(share, *rest)] = [
                rank_of(scorers[t.meeting_id].ranking(rel, w), t.gold)
                for t, rel in zip(topics, rels, strict=True)]
    return out


def best_point(ranks: dict[tuple[float, ...], list[int | None]], keep: Sequence[int]
               ) -> tuple[float, ...]:
    """The grid point with the best MRR (then hit@1) over the topics at `keep`."""
    def key(point: tuple[float, ...]) -> tuple[float, float]:
        s = scores([ranks[point][i] for i in keep])
        return round(s["mrr"], 4), s["hit@1"]
    return max(ranks, key=key)


def main() -> None:
    """Grid on train; out-of-fold figures; write the weights best on all train."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "expert_train.pkl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    meetings, topics = pickle.loads(args.data.read_bytes())
    scorers = {mid: Scorer(m) for mid, m in meetings.items()}
    ranks = grid_ranks(topics, scorers)
    order = sorted(meetings)
    fold_of = {mid: i * FOLDS // len(order) for i, mid in enumerate(order)}
    oof: list[int | None] = [None] * len(topics)
    chosen: list[dict[str, Any]] = []
    for fold in range(FOLDS):
        inside = [i for i, t in enumerate(topics) if fold_of[t.meeting_id] != fold]
        held = [i for i, t in enumerate(topics) if fold_of[t.meeting_id] == fold]
        point = best_point(ranks, inside)
        chosen.append(dict(zip(GRID, point, strict=True)))
        for i in held:
            oof[i] = ranks[point][i]
    talk = [rank_of(meetings[t.meeting_id].talkative, t.gold) for t in topics]
    lexical_only = best_point({p: r for p, r in ranks.items() if p[0] == 1.0},
                              range(len(topics)))
    point = best_point(ranks, range(len(topics)))
    weights = dict(zip(GRID, point, strict=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "meetings": len(meetings), "topics": len(topics),
        "out_of_fold": scores(oof), "talked_most": scores(talk),
        "in_sample": scores(ranks[point]),
        "in_sample_lexical_only": scores(ranks[lexical_only]),
        "fold_choices": chosen, "weights": weights,
    }
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"## QMSum train: {len(topics)} topics in {len(meetings)} meetings\n")
    print("| system | n | hit@1 | hit@3 | MRR |\n|---|---:|---:|---:|---:|")
    for name, key in (("ours, out-of-fold by meeting", "out_of_fold"),
                      ("ours, all-train weights (IN-SAMPLE)", "in_sample"),
                      ("BM25 only, best (IN-SAMPLE)", "in_sample_lexical_only"),
                      ("talked most", "talked_most")):
        s = figures[key]
        print(f"| {name} | {s['n']} | {s['hit@1']:.3f} | {s['hit@3']:.3f} | {s['mrr']:.3f} |")
    print(f"\nfold choices: {chosen}\nweights -> {args.out}: {weights}")


if __name__ == "__main__":
    main()
