"""Learned-fusion probabilities of each QMSum topic's chunks, as peers' retrieval sees them.

Peers retrieve `peers.retrieve_k` chunks per topic with the product's hybrid retriever; with
learned fusion each carries the fusion model's probability that it holds the evidence
(`companion/retrieval/fusion.py`). To measure localising a topic with them on train without a
Chroma store, the split's sessions and chunks are written to a product `Catalog` (so BM25 is
FTS5's over the whole split, as in a store) and the dense leg reads the cached chunk vectors
(`evals.qmsum_chunks`) with an exact cosine search restricted to the topic's meeting, as the
eval's session filter restricts Chroma's. The retriever, its candidates (`peers.retrieve_k` per
index, as `PeerService` asks), features, fusion model and limit are the product's own.

Output: `CACHE/fusion_probs_<split>.pkl`, `{(meeting_id, topic): [(turn_start, turn_end,
probability, similarity), ...]}` for the retrieved chunks (only meetings whose chunk vectors
are cached). Run after `evals.qmsum_chunks` has filled the chunk cache:

    python -m evals.fusion_probs --split train
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.retrieval.hybrid import HybridRetriever, SearchFilters
from companion.storage.catalog import Catalog
from companion.storage.vectors import DenseHit
from evals.expert_data import CACHE
from evals.expert_gold import QMSUM, build

ProbRows = list[tuple[int, int, float, float]]


class CachedVectors:
    """The two `VectorIndex` reads retrieval makes, over cached chunk vectors (exact cosine)."""

    def __init__(self) -> None:
        self.by_session: dict[str, tuple[list[str], Any]] = {}
        self.by_id: dict[str, Any] = {}

    def add(self, session_id: str, ids: Sequence[str], matrix: Any) -> None:
        """One session's chunk ids and their (normalised) vectors."""
        rows = np.asarray(matrix, dtype=np.float32)
        self.by_session[session_id] = (list(ids), rows)
        self.by_id.update(zip(ids, rows, strict=True))

    def search(self, vector: list[float], k: int, where: dict[str, Any] | None = None
               ) -> list[DenseHit]:
        """The k closest chunks of the filtered session (only a session filter is supported)."""
        if not where or set(where) != {"session_id"}:
            raise ValueError("CachedVectors searches one session at a time")
        ids, rows = self.by_session[where["session_id"]]
        sims = rows @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[:k]
        return [DenseHit(ids[i], float(sims[i])) for i in order]

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Any]:
        """Stored vectors of these chunk ids."""
        return {i: self.by_id[i] for i in ids if i in self.by_id}


def collect(split: str, chunk_cache: Path, work: Path) -> dict[tuple[str, str], ProbRows]:
    """Every topic's retrieved chunks with their fusion probability (see the module doc)."""
    from companion.storage.embeddings import SentenceTransformerEmbeddings
    from evals.qmsum_chunks import ChunkVectorCache
    from ingest.parsers import load_session

    settings = Settings()
    cache = ChunkVectorCache(settings, chunk_cache)
    db = work / f"fusion-catalog-{split}.sqlite"
    for stale in work.glob(f"{db.name}*"):
        stale.unlink()
    catalog = Catalog(db)
    vectors = CachedVectors()
    rows = build(split)
    sessions: dict[str, str] = {}
    for mid in sorted({r["meeting_id"] for r in rows}):
        session = load_session(QMSUM / split / f"{mid}.json")
        found = cache.vectors(session, cached_only=True)
        if found is None:
            print(f"skip {mid}: chunk vectors not cached", file=sys.stderr)
            continue
        chunks = cache.chunker.chunk(session)
        catalog.replace_session(session, chunks)
        vectors.add(session.id, [c.id for c in chunks], found.matrix)
        sessions[mid] = session.id
    model = SentenceTransformerEmbeddings(settings.resolved_model_path(), threads=1)
    k = settings.peers.retrieve_k  # as `PeerService._retriever`: k candidates per index
    retrieval = settings.retrieval.model_copy(update={"dense_k": k, "lexical_k": k})
    retriever = HybridRetriever(catalog, vectors, model, retrieval)  # type: ignore[arg-type]
    out: dict[tuple[str, str], ProbRows] = {}
    kept = [r for r in rows if r["meeting_id"] in sessions]
    for i, r in enumerate(kept, 1):
        got = retriever.retrieve(r["topic"], SearchFilters(session_id=sessions[r["meeting_id"]]),
                                 limit=k)
        out[(r["meeting_id"], r["topic"])] = [
            (c.turn_start, c.turn_end, float(c.probability or 0.0), float(c.similarity or 0.0))
            for c in got.chunks]
        if i % 50 == 0:
            print(f"{i}/{len(kept)} topics", file=sys.stderr, flush=True)
    catalog.close()
    return out


def main() -> None:
    """Collect a split's probabilities and pickle them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "val"), default="train")
    parser.add_argument("--chunks", type=Path, default=CACHE / "qmsum_chunks")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or CACHE / f"fusion_probs_{args.split}.pkl"
    out.parent.mkdir(parents=True, exist_ok=True)
    found = collect(args.split, args.chunks, out.parent)
    out.write_bytes(pickle.dumps(found))
    print(f"{len(found)} topics -> {out}")


if __name__ == "__main__":
    main()
