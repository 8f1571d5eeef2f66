"""A learned citation selector on QMSum train, out-of-fold (tried; not adopted: see evals/README).

    python -m evals.train_citations [--candidates DIR] [--stores DIR]

Reads the paired train shards' cached candidates and stores (`evals/train_fusion.py` writes
them), ranks every question's candidates with out-of-fold fusion logits (folds by meeting), and
takes the candidate sentences the extractive composer considers (`ExtractiveGenerator.candidates`
over the best `pool` chunks). A sentence is positive when its turn lies inside a gold span. A
logistic model over `evals.citation_selector.FEATURES` is fitted out-of-fold (five folds, whole
meetings per fold, as the fusion's). Answers are composed from the out-of-fold probabilities two
ways: the best sentence of each of the five best chunks (the shipped composer's shape, its
heuristic score replaced) and the most probable sentences of the pool whatever their chunk
(sentences quoted, share of the best sentence's probability, per-chunk limit); beside them the
shipped composer and an oracle that picks a gold sentence in each chunk when there is one.
Every figure is on train, out-of-fold. Writes evals/results/train_citations.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.features.ask.extractive import Candidate, ExtractiveGenerator, _similar
from companion.retrieval.fusion import fit_logistic
from evals.citation_selector import FEATURES, choose, per_chunk_choice, sentence_features
from evals.fusion_data import build, hits
from evals.train_confidence import oof_retrievals
from evals.train_fusion import FOLDS, out_of_fold
from evals.tune_citations import load_pairs_from

POOLS = (10, 20)
L2_GRID = (1.0, 10.0, 100.0)
MAX_SENTENCES = (3, 4, 5)
MIN_RELATIVE = (0.0, 0.2, 0.35, 0.5, 0.7)
PER_CHUNK = (1, 2, 5)
FUSION_L2 = 30.0  # among the best out-of-fold recall@5 on the paired shards


@dataclass
class Question:
    """One train question's candidate sentences, their features and labels."""

    meeting: str
    cands: list[Candidate]
    x: np.ndarray
    y: np.ndarray


def sentence_rows(
    catalogs: list[Any], shards: list[Any], retrievals: list[Any], pool: int
) -> list[Question]:
    """Every question's candidate sentences (the composer's), with features and gold labels."""
    out: list[Question] = []
    i = 0
    for catalog, shard in zip(catalogs, shards, strict=True):
        gen = ExtractiveGenerator(catalog, pool=pool)
        for q in shard.questions:
            retrieval = retrievals[i]
            i += 1
            cands = gen.candidates(retrieval)
            y = [hits(q, c.chunk.session_id, c.turn.index, c.turn.index) for c in cands]
            x = sentence_features(cands, retrieval.question)
            out.append(Question(q.sessions[0], cands, x, np.array(y, dtype=float)))
    return out


def out_of_fold_probs(questions: list[Question], l2: float) -> list[np.ndarray]:
    """Each question's sentence probabilities from a model fitted without its fold."""
    meetings = sorted({q.meeting for q in questions})
    fold_of = {m: i % FOLDS for i, m in enumerate(meetings)}
    fold = np.array([fold_of[q.meeting] for q in questions])
    out: list[np.ndarray] = [np.zeros(0)] * len(questions)
    for f in range(FOLDS):
        train = [q for q, k in zip(questions, fold, strict=True) if k != f and len(q.y)]
        model = fit_logistic(np.vstack([q.x for q in train]), np.concatenate([q.y for q in train]),
                             l2)
        for i in np.flatnonzero(fold == f):
            out[i] = model.probabilities(questions[i].x)
    return out


def figures(questions: list[Question], chosen: list[list[int]]) -> dict[str, float]:
    """Answer hit, citation precision and citations per answer of chosen sentence indices."""
    hit = cites = good = 0
    for q, picked in zip(questions, chosen, strict=True):
        flags = [bool(q.y[i]) for i in picked]
        hit += any(flags[:5])
        cites += len(flags)
        good += sum(flags)
    n = max(1, len(questions))
    return {
        "answer_hit_rate": round(hit / n, 4),
        "citation_precision": round(good / max(1, cites), 4),
        "citations_per_answer": round(cites / n, 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Print and save every way of choosing's out-of-fold figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, default=Path("/work/cache/answers"))
    parser.add_argument("--candidates", type=Path, default=Path("/work/cache/answers"))
    args = parser.parse_args(argv)
    shards, catalogs = load_pairs_from(args.candidates, args.stores)
    data = build(shards)
    retrievals = oof_retrievals(shards, data, out_of_fold(data, FUSION_L2))
    out: dict[str, Any] = {
        "note": "QMSum train, paired shards; out-of-fold fusion rankings and selector folds",
        "questions": len(retrievals),
        "features": list(FEATURES),
    }
    for pool in POOLS:
        questions = sentence_rows(catalogs, shards, retrievals, pool)
        if pool == 10:  # the shipped composer's pool
            scores = [np.array([c.score for c in q.cands]) for q in questions]
            oracle = [q.y + 0.0 for q in questions]
            out["shipped composer (best-scored sentence of each of the 5 best chunks)"] = figures(
                questions, [per_chunk_choice(q.cands, s, 5, _similar)
                            for q, s in zip(questions, scores, strict=True)])
            out["oracle: a gold sentence of each of the 5 best chunks when it has one"] = figures(
                questions, [per_chunk_choice(q.cands, s, 5, _similar)
                            for q, s in zip(questions, oracle, strict=True)])
        for l2 in L2_GRID:
            probs = out_of_fold_probs(questions, l2)
            if pool == 10:
                out[f"learned, best sentence of each of the 5 best chunks, l2={l2}"] = figures(
                    questions, [per_chunk_choice(q.cands, p, 5, _similar)
                                for q, p in zip(questions, probs, strict=True)])
            for n, rel, per in itertools.product(MAX_SENTENCES, MIN_RELATIVE, PER_CHUNK):
                name = f"learned, most probable: pool={pool} l2={l2} n={n} rel={rel} per={per}"
                out[name] = figures(questions, [choose(q.cands, p, n, rel, per, _similar)
                                                for q, p in zip(questions, probs, strict=True)])
        print(pool, "done", flush=True)
    path = Path(__file__).parent / "results" / "train_citations.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for name, figs in out.items():
        if isinstance(figs, dict) and ("rel=0.0 per=1" in name or "most probable" not in name):
            print(name, figs)


if __name__ == "__main__":
    main()
