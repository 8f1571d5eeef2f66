"""Peak RSS attribution: the same hashed vectors in a bare Chroma collection (bench/run.py).

The core ingest's peak RSS grows from the small store to the big one; how much of that is
Chroma's own (its HNSW index is held in memory) shows when the same vectors go into a bare
`PersistentClient` collection in a fresh process (`bench/worker.py chroma`): ids and vectors
only, batches of the pipeline's size. What the core ingest holds beyond that is ours.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from results import Figure

Worker = Callable[..., dict[str, Any]]


def raw_chroma_figures(worker: Worker, work: Path, stores: dict[str, Path], batch: int,
                       core: dict[str, Any], big: dict[str, Any]) -> list[Figure]:
    """Bare-Chroma peak RSS at the small and big sizes, beside the core ingest's.

    Args:
        worker: runs one bench/worker.py job in a fresh process and returns its JSON.
        work: the bench's work folder (the bare collections are written under it).
        stores: {"small": store of the small core ingest, "big": the big ask store}.
        batch: vectors per `add`, as the pipeline adds them.
        core: the small core ingest's result; big: the big store build's result.
    """
    raw = {
        size: worker(f"raw Chroma, {size} store's vectors", "chroma", "--data", str(store),
                     "--persist", str(work / f"raw-chroma-{size}"), "--batch", str(batch))
        for size, store in stores.items()
    }
    small, large = raw["small"], raw["big"]
    ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    ours_small = core["peak_rss_mb"] - small["peak_rss_mb"]
    ours_big = big["peak_rss_mb"] - large["peak_rss_mb"]
    return [
        Figure(
            f"peak RSS of a bare Chroma collection at {large['chunks']:,} chunks (same hashed "
            "vectors)", large["peak_rss_mb"], "MB", small["peak_rss_mb"],
            f"at {small['chunks']:,} chunks", ratio, "(attribution)", None,
            f"fresh process, ids + vectors only, batches of {batch}, cosine HNSW; "
            f"{small['cpu_seconds']:.0f} and {large['cpu_seconds']:.0f} CPU-s",
        ),
        Figure(
            f"peak RSS of core ingest above bare Chroma at {big['vectors']:,} chunks",
            ours_big, "MB", ours_small, f"at {core['chunks']:,} chunks",
            ours_big / ours_small if ours_small > 0 else None, "(attribution)", None,
            "core ingest's peak RSS minus the bare collection's at the same size: the "
            "pipeline's own memory (parse, chunk, catalog + FTS, Chroma documents + metadata)",
        ),
    ]
