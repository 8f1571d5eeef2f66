"""Training data for the learned fusion: QMSum train shards, their candidates and labels.

QMSum train is split into `every` shards (meeting `k`, `k + every`, ... in file-name order), each
ingested with the product's own ingest into its own store, so a shard is a corpus of the size
the evals' val corpus has (~28 meetings) and the candidates look like the ones ask sees there.
Each question's candidates are cached (pickled, per shard) so features can change without
querying again; `build` turns them into feature rows and labels.
"""

from __future__ import annotations

import copy
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import RetrievalSettings
from companion.retrieval.fusion import features
from evals.datasets import GoldQuestion


@dataclass
class Shard:
    """One shard: its questions and each question's candidates (fused order, unscored)."""

    name: str
    questions: list[GoldQuestion]
    candidates: list[list[Any]]


def subset(src: Path, every: int, dest: Path, offset: int = 0) -> Path:
    """A folder holding every `every`-th meeting of `src` from `offset`, copied once."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.json"))[offset::every]:
        if not (dest / path.name).exists():
            shutil.copy(path, dest / path.name)
    return dest


def hits(q: GoldQuestion, session_id: str, start: int, end: int) -> bool:
    """Whether a turn range overlaps one of the question's gold spans."""
    return any(span.overlaps(session_id, start, end) for item in q.gold for span in item)


def collect(ctx: Any, name: str, questions: list[GoldQuestion], cache: Path) -> Shard:
    """Every question's candidates from `ctx` (cached as `cache/candidates-NAME.pkl`)."""
    out = cache / f"candidates-{name}.pkl"
    if out.is_file():
        with out.open("rb") as f:
            return Shard(name, questions, pickle.load(f))
    cands = [ctx.retriever.candidates(" ".join(q.question.split()))[0] for q in questions]
    with out.open("wb") as f:
        pickle.dump(cands, f)
    return Shard(name, questions, cands)


def build(shards: list[Shard]) -> dict[str, Any]:
    """Feature rows, labels, question ids, RRF scores, gold item and meeting of every candidate."""
    rows: dict[str, list[Any]] = {k: [] for k in ("x", "y", "qid", "rrf", "item", "meeting")}
    n_gold: list[int] = []
    for shard in shards:
        for q, chunks in zip(shard.questions, shard.candidates, strict=True):
            qi = len(n_gold)
            n_gold.append(len(q.gold))
            text = " ".join(q.question.split())
            for c, row in zip(chunks, features(text, chunks), strict=True):
                item = [
                    i
                    for i, it in enumerate(q.gold)
                    if any(s.overlaps(c.session_id, c.turn_start, c.turn_end) for s in it)
                ]
                rows["x"].append(row)
                rows["y"].append(bool(item))
                rows["qid"].append(qi)
                rows["rrf"].append(c.score)
                rows["item"].append(item[0] if item else -1)
                rows["meeting"].append(q.sessions[0])
    return {
        "x": np.array(rows["x"]),
        "y": np.array(rows["y"], dtype=float),
        "qid": np.array(rows["qid"]),
        "rrf": np.array(rows["rrf"]),
        "item": np.array(rows["item"]),
        "meeting": np.array(rows["meeting"]),
        "n_gold": np.array(n_gold),
    }


def recall_hit(data: dict[str, Any], score: np.ndarray, k: int = 5) -> tuple[float, float]:
    """Mean recall@k of gold items and hit@k over questions, ranking by `score`."""
    recalls, hit = [], []
    order = np.lexsort((-score, data["qid"]))
    qid = data["qid"][order]
    starts = np.flatnonzero(np.r_[True, qid[1:] != qid[:-1]])
    ends = np.r_[starts[1:], len(qid)]
    found = {int(qid[s]): order[s:e][:k] for s, e in zip(starts, ends, strict=True)}
    for qi, n in enumerate(data["n_gold"]):
        top = found.get(qi, np.zeros(0, dtype=int))
        items = {int(i) for i in data["item"][top] if i >= 0}
        recalls.append(len(items) / n)
        hit.append(bool(data["y"][top].any()))
    return float(np.mean(recalls)), float(np.mean(hit))


def merge(lists: list[list[Any]], dense_k: int = 100, lexical_k: int = 100) -> list[Any]:
    """One question's candidates from several shard stores, as one store of them all would rank.

    Cosines are comparable across stores; BM25 scores nearly so (the shards are drawn alike).
    Ranks are recomputed over the union and cut at the retriever's depths; the fused order is
    the retriever's RRF.
    """
    settings = RetrievalSettings()
    pool = {(c.session_id, c.id): copy.copy(c) for cands in lists for c in cands}
    items = list(pool.values())
    for c in items:
        c.dense_rank = c.lexical_rank = None
    by_sim = sorted(
        (c for c in items if c.similarity is not None), key=lambda c: -float(c.similarity)
    )
    for rank, c in enumerate(by_sim[:dense_k]):
        c.dense_rank = rank
    by_lex = sorted(
        (c for c in items if (c.lexical_score or 0.0) > 0), key=lambda c: -c.lexical_score
    )
    for rank, c in enumerate(by_lex[:lexical_k]):
        c.lexical_rank = rank
    kept = [c for c in items if c.dense_rank is not None or c.lexical_rank is not None]
    k = settings.rrf_k
    for c in kept:
        c.score = (1.0 / (k + c.dense_rank + 1) if c.dense_rank is not None else 0.0) + (
            settings.lexical_weight / (k + c.lexical_rank + 1)
            if c.lexical_rank is not None
            else 0.0
        )
    return sorted(kept, key=lambda c: -c.score)


class MergedCatalog:
    """The turns of several shard catalogs, as one catalog holding all their sessions.

    Args:
        catalogs: the shards' catalogs (session ids differ between them).
    """

    def __init__(self, catalogs: list[Any]) -> None:
        self.catalogs = catalogs

    def turns(self, session_id: str, start: int = 0, end: int | None = None) -> list[Any]:
        """The turns of `session_id` from whichever catalog holds it."""
        for catalog in self.catalogs:
            found = catalog.turns(session_id, start, end)
            if found:
                return list(found)
        return []
