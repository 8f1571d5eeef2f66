"""Chunk size for answers' retrieval, checked on QMSum train series (never on val).

`companion eval --dataset qmsum --small` was run on a folder of 25 train meetings chosen like
val (five whole AMI series with no meeting in the fusion's fitting shard 0 — ES2005, ES2014,
IS1000, TS3003, TS3007 — plus Bed004, Bmr003, Bro007, covid_1, education_1; every 5th held out)
once per `COMPANION_CHUNKING__MAX_TOKENS`, each into its own store (`--cache DIR/store-N`).
This script then asks the answerable questions of two of those stores and fuses legs across
them by reciprocal rank (the product's RRF constants): the dense leg over small chunks mapped to
the shipped chunks that hold them ("parent" chunks), beside BM25 over the shipped chunks.
Results: evals/README.md, issue 17.

Run: `python -m evals.chunk_granularity --data DIR --small-store DIR/store-128
--store DIR/store-192 [--small-tokens 128]`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from statistics import mean

from companion.core.service_settings import ChunkingSettings
from companion.core.settings import Settings
from evals.datasets import load_qmsum
from evals.metrics import Ranked, covered_items, hit_at_k, recall_at_k
from evals.runner import open_store, single_thread_queries

DEPTH = 100


def rrf(legs: Sequence[tuple[float, list[Ranked]]], k: int) -> list[Ranked]:
    """Reciprocal-rank fusion of weighted legs."""
    score: dict[Ranked, float] = {}
    for weight, leg in legs:
        for i, r in enumerate(leg):
            score[r] = score.get(r, 0.0) + weight / (k + i + 1)
    return sorted(score, key=lambda r: -score[r])


def parents(ranked: list[Ranked], inventory: dict[str, list[tuple[int, int]]]) -> list[Ranked]:
    """Each small chunk replaced by the first shipped chunk overlapping it, first place kept."""
    out: list[Ranked] = []
    for s, a, b in ranked:
        for x, y in inventory.get(s, []):
            if x <= b and a <= y:
                if (s, x, y) not in out:
                    out.append((s, x, y))
                break
    return out


def main() -> None:
    """Print recall@5 and hit@5 of each leg and fusion."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--small-store", type=Path, required=True)
    parser.add_argument("--small-tokens", type=int, default=128)
    args = parser.parse_args()
    dataset = load_qmsum(args.data, 5)
    questions = [q for q in dataset.questions if q.answerable and q.gold]
    settings = Settings()
    big = open_store(settings, args.store, None, False)
    small_settings = Settings(chunking=ChunkingSettings(max_tokens=args.small_tokens))
    shared = big.embeddings.base  # type: ignore[attr-defined]
    small = open_store(small_settings, args.small_store, shared, False)
    inventory = {s.id: [(c.turn_start, c.turn_end) for c in big.catalog.chunks(s.id)]
                 for s in dataset.sessions}
    k, w = settings.retrieval.rrf_k, settings.retrieval.lexical_weight

    def ranked(ctx: object, text: str, mode: str) -> list[Ranked]:
        found = ctx.retriever.retrieve(text, limit=DEPTH, mode=mode)  # type: ignore[attr-defined]
        return [(c.session_id, c.turn_start, c.turn_end) for c in found.chunks]

    rows: dict[str, list[tuple[float, bool]]] = {}
    with single_thread_queries():
        for q in questions:
            d_big, l_big = ranked(big, q.question, "dense"), ranked(big, q.question, "lexical")
            d_small, l_small = (ranked(small, q.question, "dense"),
                                ranked(small, q.question, "lexical"))
            mapped = parents(d_small, inventory)
            for name, r in {
                "dense, shipped chunks": d_big,
                "dense, small chunks": d_small,
                "dense, small chunks -> parents": mapped,
                "bm25, shipped chunks": l_big,
                "rrf: dense + bm25, shipped chunks": rrf([(1, d_big), (w, l_big)], k),
                "rrf: dense small -> parents + bm25 shipped": rrf([(1, mapped), (w, l_big)], k),
                "rrf: both dense legs (0.5 each) + bm25 shipped":
                    rrf([(0.5, d_big), (0.5, mapped), (w, l_big)], k),
                "rrf: dense + bm25, small chunks": rrf([(1, d_small), (w, l_small)], k),
            }.items():
                cov = covered_items(r[:10], q.gold)
                rows.setdefault(name, []).append(
                    (recall_at_k(cov, len(q.gold), 5), hit_at_k(cov, 5)))
    print("| system | n | recall@5 | hit@5 |\n|---|---:|---:|---:|")
    for name, v in rows.items():
        print(f"| {name} | {len(v)} | {mean(x for x, _ in v):.3f} "
              f"| {mean(float(h) for _, h in v):.3f} |")
    big.close()
    small.close()


if __name__ == "__main__":
    main()
