"""Localising a topic with each turn's own vector: out-of-fold on QMSum train.

The deployed localisation (`features/peers/localise.py`) gives every turn the cosine of the
chunk holding it (a chunk spans several turns) blended with BM25 over the turns. Here each turn
also has its own vector (`evals.qmsum_turns`): its cosine with the topic, rescaled within the
meeting (`localise.rescale`), is blended in with share `turn`:

    relevance = (1 - turn) * deployed relevance (lexical share `lexical`) + turn * turn cosine

Turns under `min_words` words ("yeah", "okay") say nothing about a topic on their own: they take
the meeting's median cosine (0 after rescaling) and the smoothing fills them from their
neighbours. `turn`, `lexical`, `width` and `power` are chosen per fold on the other folds'
topics (best MRR, then hit@1; folds by meeting, as `evals/fit_expertise.py`); talk prior and
answer weight stay as deployed. Also printed: the deployed point (its weights were fitted on
all train: in-sample), the turn cosine alone, talked most, the gold-spans ceiling, and how much
of each stretch's weight falls in the gold spans.

Inputs: `evals.expert_data` (meetings, topics with spans) and the turn cache. Val is never
read. Run: `python -m evals.localise_turns_cv [--out FILE]`.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.core.terms import content_terms
from companion.features.peers.expertise import ExpertiseWeights
from companion.features.peers.localise import localise, rescale
from evals.expert_data import CACHE, PreparedTopic
from evals.fit_expertise import FOLDS, Scorer, rank_of, scores
from evals.localise_cv import _row, in_spans, out_of_fold, profile_of
from evals.qmsum_turns import CACHE as TURN_CACHE
from evals.qmsum_turns import TurnVectorCache

DEPLOYED = {"lexical": 0.75, "width": 8.0, "power": 2.0, "talk_prior": 0.05,
            "answer_weight": 0.0}
MIN_WORDS = 4
GRID: dict[str, tuple[float, ...]] = {
    "turn": (0.0, 0.25, 0.5, 0.75, 1.0),
    "lexical": (0.5, 0.75, 1.0),
    "width": (2.0, 4.0, 8.0, 16.0),
    "power": (1.0, 2.0, 4.0),
}


def turn_cosines(matrix: Any, query: Any, lengths: np.ndarray, min_words: int) -> np.ndarray:
    """Per turn, its cosine with the query; turns under `min_words` take the median."""
    rows = np.asarray(matrix, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1) * (float(np.linalg.norm(q)) or 1.0)
    sims = np.where(norms > 0, rows @ q / np.maximum(norms, 1e-9), 0.0)
    long = lengths >= min_words
    if long.any():
        sims = np.where(long, sims, float(np.median(sims[long])))
    return np.asarray(sims, dtype=float)


class TopicData:
    """One topic's fixed signals in its meeting."""

    def __init__(self, sc: Scorer, t: PreparedTopic, turns: Any) -> None:
        self.scorer = sc
        self.gold = t.gold
        m = sc.meeting
        self.loc = localise(content_terms(t.topic), m.terms, m.ranges, m.matrix, t.vector)
        self.turn = rescale(turn_cosines(turns, t.vector, sc.lengths, MIN_WORDS))
        self.mask = in_spans(len(sc.lengths), t.spans)
        self._base: dict[float, np.ndarray] = {}

    def relevance(self, turn: float, lexical: float) -> np.ndarray:
        """The blend at this point."""
        if lexical not in self._base:
            self._base[lexical] = self.loc.relevance(lexical)
        return (1 - turn) * self._base[lexical] + turn * self.turn

    def rank(self, turn: float, lexical: float, width: float, power: float) -> int | None:
        """Rank of the gold speaker at this point."""
        w = replace(ExpertiseWeights(), width=width, power=power,
                    talk_prior=DEPLOYED["talk_prior"], answer_weight=DEPLOYED["answer_weight"])
        return rank_of(self.scorer.ranking(self.relevance(turn, lexical), w), self.gold)

    def localisation(self, turn: float, lexical: float, width: float,
                     power: float) -> tuple[float, bool]:
        """Share of the stretch's word weight in the gold spans; whether its peak is in them."""
        prof = profile_of(self.relevance(turn, lexical), width, power)
        weight = prof * self.scorer.lengths
        total = float(weight.sum())
        share = float(weight[self.mask].sum()) / total if total > 0 else 0.0
        return share, bool(total > 0 and self.mask[int(np.argmax(prof))])


def turn_matrices(meeting_ids: list[str], split: str, cache: Path) -> dict[str, Any]:
    """The cached turn vectors of these meetings (meetings not cached are left out)."""
    from evals.qmsum_chunks import QMSUM
    from ingest.parsers import load_session

    store = TurnVectorCache(Settings(), cache)
    out = {}
    for mid in meeting_ids:
        found = store.vectors(load_session(QMSUM / split / f"{mid}.json"), cached_only=True)
        if found is not None:
            out[mid] = found
    return out


def run(meetings: dict[str, Any], topics: list[PreparedTopic], turns: dict[str, Any]
        ) -> list[str]:
    """Every figure, as markdown lines."""
    meetings = {mid: m for mid, m in meetings.items() if mid in turns}
    scorers = {mid: Scorer(m) for mid, m in meetings.items()}
    topics = [t for t in topics if t.meeting_id in meetings]
    data = [TopicData(scorers[t.meeting_id], t, turns[t.meeting_id]) for t in topics]
    ranks = {p: [d.rank(*p) for d in data] for p in itertools.product(*GRID.values())}
    order = sorted(meetings)
    fold_of = {mid: i * FOLDS // len(order) for i, mid in enumerate(order)}
    folds = [fold_of[t.meeting_id] for t in topics]
    oof, chosen = out_of_fold(ranks, folds)
    oof_base, chosen_base = out_of_fold({p: r for p, r in ranks.items() if p[0] == 0.0}, folds)
    talk = [rank_of(meetings[t.meeting_id].talkative, t.gold) for t in topics]
    deployed = (0.0, DEPLOYED["lexical"], DEPLOYED["width"], DEPLOYED["power"])
    alone = (1.0, DEPLOYED["lexical"], DEPLOYED["width"], DEPLOYED["power"])
    lines = [f"## Localising with turn vectors, QMSum train ({len(topics)} topics, "
             f"{len(meetings)} meetings)", "",
             "| system | n | hit@1 | hit@3 | MRR |", "|---|---:|---:|---:|---:|"]
    systems = {"turn blend, out-of-fold by meeting": oof,
               "turn 0 (chunk cosines only), lexical/width/power out-of-fold": oof_base,
               "deployed point (IN-SAMPLE weights)": ranks[deployed],
               "turn cosine alone, width 8, power 2": ranks[alone],
               "talked most": talk}
    for name, r in systems.items():
        lines.append(_row(name, r))
    lines += ["", f"fold choices (turn, lexical, width, power): {chosen}",
              f"fold choices without turns: {chosen_base}", "",
              "| localisation (diagnostic) | stretch weight in gold spans | peak in gold spans |",
              "|---|---:|---:|"]
    for name, point in (("deployed", deployed), ("turn alone", alone),
                        ("turn 0.5", (0.5, *deployed[1:]))):
        got = [d.localisation(*point) for d in data]
        lines.append(f"| {name} | {np.mean([g[0] for g in got]):.3f} "
                     f"| {np.mean([g[1] for g in got]):.3f} |")
    by_point = {p: scores(r) for p, r in ranks.items()}
    best = sorted(by_point, key=lambda p: (-by_point[p]["mrr"], -by_point[p]["hit@1"]))[:5]
    lines += ["", "best grid points on all topics (IN-SAMPLE, for reading only):"]
    lines += [f"- {p}: {by_point[p]}" for p in best]
    return lines


def main() -> None:
    """Run and print (and write) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "expert_train.pkl")
    parser.add_argument("--turns", type=Path, default=TURN_CACHE)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    meetings, topics = pickle.loads(args.data.read_bytes())
    turns = turn_matrices(sorted(meetings), "train", args.turns)
    lines = run(meetings, topics, turns)
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
