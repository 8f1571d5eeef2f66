"""QMSum meetings as the product stores them: sessions, their chunks and the chunk vectors.

The summary scorer reads chunk vectors (what ingest already stored in Chroma), never sentence
vectors; for QMSum the chunks are made by the product's own `Chunker` and embedded once with
the configured model, then cached as npz (keyed by the chunks' ids, which hash their text) so
training and evaluation never encode a meeting twice.

Run: `python -m evals.qmsum_chunks [--split train|val|all] [--cache DIR]` to fill the cache.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.schemas import Session
from companion.core.settings import Settings
from companion.features.summaries.chunk_vectors import ChunkVectors

ROOT = Path(__file__).resolve().parent.parent
QMSUM = ROOT.parent / "shared" / "data" / "qmsum"
CACHE = Path("/work/cache/summaries/qmsum_chunks")


@dataclass
class Meeting:
    """One QMSum meeting: the session, its chunk vectors and the gold whole-meeting summary."""

    path: Path
    session: Session
    chunks: ChunkVectors
    gold: str


def gold_summary(data: dict[str, Any]) -> str:
    """The answer to "Summarize the whole meeting" (the first general query otherwise)."""
    for q in data["general_query_list"]:
        if q["query"].lower().startswith("summarize the whole meeting"):
            return str(q["answer"])
    return str(data["general_query_list"][0]["answer"])


class ChunkVectorCache:
    """Chunks and vectors of QMSum meetings, embedded once.

    Args:
        settings: the embedding model and chunking settings the product uses.
        cache: folder for the npz files.
    """

    def __init__(self, settings: Settings, cache: Path = CACHE) -> None:
        from ingest.chunking import Chunker, tokenizer_counter

        self.settings = settings
        self.cache = cache
        self.cache.mkdir(parents=True, exist_ok=True)
        self.chunker = Chunker(tokenizer_counter(settings.resolved_model_path()),
                               settings.chunking.max_tokens)
        self._embeddings: Any = None

    def embed(self, texts: list[str]) -> Any:
        """Normalised rows, batch-encoded with the product's embedding adapter."""
        if self._embeddings is None:
            from companion.storage.embeddings import SentenceTransformerEmbeddings

            cfg = self.settings.embedding
            self._embeddings = SentenceTransformerEmbeddings(
                self.settings.resolved_model_path(), batch_size=cfg.batch_size,
                threads=cfg.threads)
        return np.asarray(self._embeddings.embed_documents(texts), dtype=np.float32)

    def vectors(self, session: Session, cached_only: bool = False) -> ChunkVectors | None:
        """The session's chunk vectors (from the cache when its chunks are unchanged).

        With `cached_only`, None for a session not yet in the cache (nothing is embedded).
        """
        chunks = self.chunker.chunk(session)
        key = hashlib.sha1("\n".join(c.id for c in chunks).encode()).hexdigest()[:16]
        path = self.cache / f"{session.id}-{key}.npz"
        if not path.exists() and cached_only:
            return None
        if path.exists():
            matrix = np.load(path)["vectors"]
        else:
            matrix = self.embed([c.text for c in chunks])
            np.savez_compressed(path, vectors=matrix)
        return ChunkVectors.from_ranges([(c.turn_start, c.turn_end) for c in chunks], matrix)

    def meeting(self, path: Path, cached_only: bool = False) -> Meeting | None:
        """One QMSum file as a `Meeting` (None: not cached and `cached_only`)."""
        import json

        from ingest.parsers import load_session

        session = load_session(path)
        vectors = self.vectors(session, cached_only)
        if vectors is None:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return Meeting(path, session, vectors, gold_summary(data))


def meetings(split: str, cache: ChunkVectorCache, limit: int | None = None,
             folder: Path | None = None, cached_only: bool = False) -> list[Meeting]:
    """The meetings of a split (`train` or `val`) in file-name order.

    Args:
        split: `train` or `val` (the folder under the QMSum data, unless `folder` is given).
        cache: the chunk vector cache.
        limit: only the first N files.
        folder: another folder of QMSum files.
        cached_only: skip meetings whose chunk vectors are not cached yet (never embeds).
    """
    files = sorted((folder or QMSUM / split).glob("*.json"))[:limit]
    out = []
    for i, path in enumerate(files, 1):
        print(f"{split} {i}/{len(files)} {path.stem}", file=sys.stderr)
        found = cache.meeting(path, cached_only)
        if found is not None:
            out.append(found)
    return out


def main() -> None:
    """Fill the cache."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="all", choices=["train", "val", "all"])
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    cache = ChunkVectorCache(Settings(), args.cache)
    for split in (["val", "train"] if args.split == "all" else [args.split]):
        # Shortest meetings first, so an interrupted run has covered the most meetings.
        files = sorted((QMSUM / split).glob("*.json"), key=lambda p: p.stat().st_size)
        for i, path in enumerate(files, 1):
            print(f"{split} {i}/{len(files)} {path.stem}", file=sys.stderr)
            cache.meeting(path)  # embeds and caches


if __name__ == "__main__":
    main()
