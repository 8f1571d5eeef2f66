"""The `bench/worker.py chroma` job: the same hashed vectors in a bare Chroma collection."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def bare_collection(data: Path, persist: Path, batch: int, stub: Any,
                    peak_mb: Callable[[], float], cpu: Callable[[], float]) -> dict[str, Any]:
    """Add a store's chunks, as hashed unit vectors, to a fresh bare collection; its figures.

    The chunk texts of the store at `data` are read a page at a time (no list of them is held),
    each gets the vector `stub` (the worker's `HashedUnitVectors`, as `ingest --stub`) gives it,
    and the ids and vectors (no documents, no metadata) are added to a fresh
    `PersistentClient` collection at `persist` (cosine space, as ours) in batches of `batch`.
    What remains is Chroma's own memory.
    """
    import chromadb

    shutil.rmtree(persist, ignore_errors=True)
    client = chromadb.PersistentClient(path=str(persist))
    collection = client.create_collection("bare", metadata={"hnsw:space": "cosine"})
    conn = sqlite3.connect(data / "catalog.sqlite3")
    rss_before = peak_mb()
    wall, started = time.perf_counter(), cpu()
    added = 0
    rows = conn.execute("SELECT id, text FROM chunks ORDER BY rowid")
    while page := rows.fetchmany(batch):
        collection.add(ids=[r[0] for r in page],
                       embeddings=stub.embed_many([r[1] for r in page]))
        added += len(page)
    conn.close()
    return {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": cpu() - started,
        "chunks": added,
        "peak_rss_mb": peak_mb(),
        "rss_before_mb": rss_before,
        "vectors": collection.count(),
    }
