"""Fit peers' expertise weights on QMSum train topics; the defaults of `PeersSettings.expertise_*`.

Gold: `evals.expert_gold` on train (the speaker with the largest share of words in a topic's gold
spans, as `derived/expert_finding_val.jsonl` is built for val). Each topic is ranked among its
meeting's speakers, as the val eval does. The grid is searched on train only; the chosen weights
are reported on train (in-sample) beside "talked most" on the same topics. Val is never read.

The chosen weights are printed and written as JSON (`--out`); `PeersSettings` holds them as
defaults (width 16, power 2, answer weight 0, talk prior 0.05 on the last run: train hit@1 0.670
against 0.574 for "talked most", in-sample).

Run: `python -m evals.fit_expertise [--out FILE]`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import re
import tempfile
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from companion.core.terms import content_terms
from companion.features.peers.expertise import (
    ExpertiseWeights,
    SpokenTurn,
    relevance_from_terms,
    session_expertise,
)
from companion.features.peers.practice import is_question
from evals.expert_gold import QMSUM, build, gold_speaker

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(tempfile.gettempdir()) / "expertise-weights.json"
_MARKUP = re.compile(r"\{[a-z_]+\}")
# Pseudo-relevance feedback (10 or 20 terms from the best stretch, weight 0.5 or 1) was tried on
# this grid at width 8 and lowered train MRR every time, so it is not part of the model.
GRID: dict[str, tuple[float, ...]] = {
    "width": (4.0, 8.0, 16.0, 32.0),
    "power": (1.0, 2.0, 4.0),
    "answer_weight": (0.0, 0.5),
    "talk_prior": (0.0, 0.05, 0.2),
}


class Meeting:
    """A train meeting prepared once: turns, their term sets and speakers' word counts."""

    def __init__(self, meeting_id: str) -> None:
        data = json.loads((QMSUM / "train" / f"{meeting_id}.json").read_text(encoding="utf-8"))
        texts = [" ".join(_MARKUP.sub(" ", t["content"]).split())
                 for t in data["meeting_transcripts"]]
        speakers = [gold_speaker(meeting_id, t["speaker"]) for t in data["meeting_transcripts"]]
        self.turns = [SpokenTurn(person=s, text=x, question=is_question(x) if x else False)
                      for s, x in zip(speakers, texts, strict=True)]
        self.terms = [set(content_terms(x)) for x in texts]
        words: Counter[str] = Counter()
        for s, x in zip(speakers, texts, strict=True):
            words[s] += len(x.split())
        self.talkative = [s for s, _ in words.most_common()]


def rank_of(ranked: list[str], gold: str) -> int | None:
    """1-based rank of gold, or None."""
    return ranked.index(gold) + 1 if gold in ranked else None


def scores(ranks: list[int | None]) -> dict[str, float]:
    """hit@1, hit@3, MRR."""
    n = max(1, len(ranks))
    return {"hit@1": sum(r == 1 for r in ranks) / n,
            "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
            "mrr": sum(1 / r for r in ranks if r) / n}


def main() -> None:
    """Grid-search the weights on train and write the best (by MRR, then hit@1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fit-expertise",
                        help="where the prepared train meetings are kept between runs")
    args = parser.parse_args()
    rows = build("train")
    cache = args.cache / "fit_meetings.pkl"
    if cache.is_file():
        meetings = pickle.loads(cache.read_bytes())
    else:
        meetings = {mid: Meeting(mid) for mid in sorted({r["meeting_id"] for r in rows})}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(meetings))
    prepared = []
    for r in rows:
        m = meetings[r["meeting_id"]]
        rel = relevance_from_terms(set(content_terms(r["topic"])), m.terms)
        prepared.append((r, m, rel))
    talk = scores([rank_of(m.talkative, r["speaker_word_share"][0][0]) for r, m, _ in prepared])
    best: tuple[tuple[float, float], dict, dict] | None = None
    for values in itertools.product(*GRID.values()):
        params: dict[str, Any] = dict(zip(GRID, values, strict=True))
        w = replace(ExpertiseWeights(), **params)
        ranks = []
        for r, m, rel in prepared:
            found, _ = session_expertise(r["topic"], m.turns, w, relevance=rel,
                                         turn_terms=m.terms)
            ranked = sorted(found, key=lambda p: -found[p])
            ranks.append(rank_of(ranked, r["speaker_word_share"][0][0]))
        s = scores(ranks)
        key = (round(s["mrr"], 4), s["hit@1"])
        if best is None or key > best[0]:
            best = (key, asdict(w), s)
        print(json.dumps({**dict(zip(GRID, values, strict=True)), **s}))
    assert best is not None
    _, weights, fitted = best
    for unfitted in ("dense_weight", "dense_floor", "named_weight", "feedback_terms",
                     "feedback_weight"):
        weights.pop(unfitted)
    args.out.write_text(json.dumps(weights, indent=2) + "\n", encoding="utf-8")
    print(f"\n## QMSum train ({len(prepared)} topics, IN-SAMPLE)\n")
    print("| system | hit@1 | hit@3 | MRR |\n|---|---:|---:|---:|")
    for name, s in (("expertise (fitted)", fitted), ("talked most", talk)):
        print(f"| {name} | {s['hit@1']:.3f} | {s['hit@3']:.3f} | {s['mrr']:.3f} |")
    print(f"\nweights -> {args.out}: {weights}")


if __name__ == "__main__":
    main()
