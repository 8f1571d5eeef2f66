"""Where ingest's CPU goes: per stage, and every encode by the code that asked for it.

    python bench/listener_profile.py --corpus DIR --data DIR [--cprofile OUT] [--dump-texts OUT]
                                     [--tree CHECKOUT] [--no-count]

One full ingest (the product pipeline, model loaded first, embed cache on) of `--corpus` into a
fresh `--data`. Prints one JSON line: CPU-seconds of the chunk writes (embed + Chroma) and of
each listener's `session_stored`, and per caller of `SentenceTransformerEmbeddings._encode`
(the first frame under `companion/features` or `ingest`, else the first in `companion`):
calls, texts, tokens and CPU-seconds. Texts a listener asks for that the cache or a memo
already holds are not counted (they cost nothing). `--tree` imports the product from another
checkout (an exported older commit, for before/after); `--no-count` leaves out the per-encode
tokenising and stack walks (`bench/listener_cost.py` times stages with it).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import shutil
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

if "--tree" in sys.argv:  # before anything of the product is imported
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()))
else:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.core.settings import Settings  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _caller() -> str:
    """file:function of the product code that asked for this encode."""
    frames = traceback.extract_stack()[:-3]
    picked = None
    for frame in reversed(frames):
        path = frame.filename
        if "/companion/storage/" in path or "/companion/core/memo" in path \
                or path.endswith("tips/analysis.py"):
            continue
        if "/companion/features/" in path or "/ingest/" in path:
            picked = frame
            break
        if picked is None and "/companion/" in path:
            picked = frame
    if picked is None:
        return "?"
    name = picked.filename.split("/companion/")[-1] if "/companion/" in picked.filename \
        else picked.filename.rsplit("/", 2)[-2] + "/" + picked.filename.rsplit("/", 1)[-1]
    return f"{name}:{picked.name}"


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--cprofile", help="write a cProfile of the ingest here")
    parser.add_argument("--dump-texts", help="write the texts of every encode here (JSON)")
    parser.add_argument("--tree", help="the checkout to import the product from")
    parser.add_argument("--no-count", action="store_true", help="time stages only")
    args = parser.parse_args()

    from companion.app import build_pipeline
    from companion.retrieval.context import Context
    from companion.storage.embeddings import SentenceTransformerEmbeddings

    shutil.rmtree(args.data, ignore_errors=True)
    ctx = Context(Settings(data_dir=Path(args.data)))
    ctx.embeddings.embed_query("warm up")
    ctx.vectors.count()
    tokenizer = ctx.embeddings.model.tokenizer

    encodes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    dumped: list[tuple[str, list[str]]] = []
    original = SentenceTransformerEmbeddings._encode

    def counted(self: Any, texts: list[str], progress: bool, *rest: Any) -> Any:
        where = _caller()
        start = _cpu()
        out = original(self, texts, progress, *rest)
        row = encodes[where]
        row["cpu_seconds"] += _cpu() - start
        row["calls"] += 1
        row["texts"] += len(texts)
        row["tokens"] += sum(len(ids) for ids in tokenizer(list(texts))["input_ids"])
        dumped.append((where, list(texts)))
        return out

    if not args.no_count:
        SentenceTransformerEmbeddings._encode = counted  # type: ignore[method-assign,assignment]
    pipeline = build_pipeline(ctx)
    stages: dict[str, float] = defaultdict(float)
    inner = pipeline._write_vectors

    def write_vectors(session: Any, chunks: Any) -> tuple[int, dict[str, Any]]:
        start = _cpu()
        try:
            return inner(session, chunks)
        finally:
            stages["chunks (embed + Chroma)"] += _cpu() - start

    pipeline._write_vectors = write_vectors  # type: ignore[method-assign]
    for listener in pipeline.listeners:
        method = listener.session_stored
        label = type(listener).__name__

        def timed(session: Any, chunks: Any, _m: Any = method, _l: str = label) -> None:
            start = _cpu()
            try:
                _m(session, chunks)
            finally:
                stages[_l] += _cpu() - start

        listener.session_stored = timed  # type: ignore[method-assign]
    profile = cProfile.Profile() if args.cprofile else None
    start, wall = _cpu(), time.perf_counter()
    if profile:
        profile.enable()
    report = pipeline.ingest([Path(args.corpus)])
    if profile:
        profile.disable()
        profile.dump_stats(args.cprofile)
    total = _cpu() - start
    if args.dump_texts:
        Path(args.dump_texts).write_text(json.dumps(dumped), encoding="utf-8")
    print(json.dumps({
        "cpu_seconds": total, "seconds": time.perf_counter() - wall,
        "chunks": report.chunks_embedded, "failed": report.failed[:3],
        "stages": dict(stages), "encodes": {k: dict(v) for k, v in encodes.items()},
    }))
    ctx.close()


if __name__ == "__main__":
    main()
