"""QMSum meetings' turns, each embedded on its own, cached as npz (for peers' localisation).

Ingest stores one vector per chunk (several turns). Expert finding localises a topic within a
meeting turn by turn, so it reads a chunk's cosine for every turn the chunk holds; this cache
gives each turn its own vector to measure whether that finer signal localises better
(`evals/localise_turns_cv.py`). Turns are embedded as spoken (text only, no speaker label),
with the product's embedding adapter; an empty turn gets a zero row. Keyed by the session id and
a hash of its turn texts, so a changed parser re-embeds.

Run: `python -m evals.qmsum_turns [--split train|val|all] [--cache DIR]` (one torch thread:
`COMPANION_EMBEDDING__THREADS=1 OMP_NUM_THREADS=1`), shortest meetings first.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.schemas import Session
from companion.core.settings import Settings
from evals.qmsum_chunks import QMSUM

CACHE = Path("/work/cache/people2/qmsum_turns")


class TurnVectorCache:
    """Per-turn vectors of QMSum meetings, embedded once.

    Args:
        settings: the embedding model the product uses.
        cache: folder for the npz files.
    """

    def __init__(self, settings: Settings, cache: Path = CACHE) -> None:
        self.settings = settings
        self.cache = cache
        self.cache.mkdir(parents=True, exist_ok=True)
        self._embeddings: Any = None

    def _embed(self, texts: list[str]) -> Any:
        if self._embeddings is None:
            from companion.storage.embeddings import SentenceTransformerEmbeddings

            cfg = self.settings.embedding
            self._embeddings = SentenceTransformerEmbeddings(
                self.settings.resolved_model_path(), batch_size=cfg.batch_size,
                threads=cfg.threads)
        return np.asarray(self._embeddings.embed_documents(texts), dtype=np.float32)

    def vectors(self, session: Session, cached_only: bool = False) -> Any:
        """A (turns x dim) matrix, row i the vector of turn i (None: not cached, `cached_only`)."""
        texts = [t.text.strip() for t in session.turns]
        key = hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:16]
        path = self.cache / f"{session.id}-{key}.npz"
        if path.exists():
            return np.load(path)["vectors"]
        if cached_only:
            return None
        filled = [i for i, x in enumerate(texts) if x]
        rows = self._embed([texts[i] for i in filled]) if filled else np.zeros((0, 1))
        matrix = np.zeros((len(texts), rows.shape[1] if filled else 384), dtype=np.float32)
        matrix[filled] = rows
        np.savez_compressed(path, vectors=matrix)
        return matrix


def main() -> None:
    """Fill the cache."""
    from ingest.parsers import load_session

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=["train", "val", "all"])
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    cache = TurnVectorCache(Settings(), args.cache)
    for split in (["val", "train"] if args.split == "all" else [args.split]):
        files = sorted((QMSUM / split).glob("*.json"), key=lambda p: p.stat().st_size)
        for i, path in enumerate(files, 1):
            print(f"{split} {i}/{len(files)} {path.stem}", file=sys.stderr, flush=True)
            cache.vectors(load_session(path))


if __name__ == "__main__":
    main()
