"""One measured job in a fresh process; prints one JSON line (timings, CPU, peak RSS).

    python bench/worker.py ingest --data DIR --corpus DIR [--stub [--known P]] [--warm] [--core]
                                  [--no-cache]
    python bench/worker.py encode --texts FILE --batch 64
    python bench/worker.py naive  --corpus DIR --persist DIR --batch 64
    python bench/worker.py ask    --data DIR --questions FILE --k 5
    python bench/worker.py export --data DIR --known PREFIX
    python bench/worker.py chroma --data DIR --persist DIR --batch 256

Each job runs in its own process so peak RSS (ru_maxrss) is the job's own, and each one loads
the model (when it needs it) before the clock starts, so only the work itself is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from companion.core.settings import Settings  # noqa: E402
from companion.storage.embeddings import SentenceTransformerEmbeddings  # noqa: E402


class HashedUnitVectors(SentenceTransformerEmbeddings):
    """Precomputed model vectors for known texts, random unit vectors (hash-seeded) for the rest.

    Stands in for the model where the benchmark measures everything but embedding (peak RSS
    and ask latency at 100k chunks), so the bulk is never embedded with the model.
    """

    def __init__(self, known: dict[str, Any] | None = None, dim: int = 384) -> None:
        super().__init__(model_path="(no model)")
        self.known = known or {}
        self.dim = dim

    @property
    def dimension(self) -> int:
        return self.dim

    def embed_many(self, texts: list[str]) -> Any:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if text in self.known:
                out[i] = self.known[text]
                continue
            v = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_many(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_many([text])[0].tolist()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    from companion.app import build_pipeline
    from companion.retrieval.context import Context
    from ingest.pipeline import IngestPipeline

    if args.fresh:
        shutil.rmtree(args.data, ignore_errors=True)
    embeddings = HashedUnitVectors(load_known(args.known)) if args.stub else None
    ctx = Context(Settings(data_dir=Path(args.data)), embeddings=embeddings)
    if args.no_cache:  # every call encodes: no sentence shared by two features is reused
        ctx.embeddings._recent_max = 0
    if args.warm and not args.stub:
        ctx.embeddings.embed_query("warm up")
    if args.warm:  # the Chroma client (imports, persistent store) opens once per process too
        ctx.vectors.count()
    # --core: the same pipeline without the tips and summaries listeners (attribution only).
    pipeline = IngestPipeline(ctx) if args.core else build_pipeline(ctx)
    rss_before = _peak_mb()
    wall, cpu = time.perf_counter(), _cpu()
    report = pipeline.ingest([Path(args.corpus)])
    out = {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": _cpu() - cpu,
        "chunks": report.chunks_embedded,
        "added": len(report.added),
        "replaced": len(report.replaced),
        "unchanged": len(report.unchanged),
        "failed": report.failed[:3],
        "peak_rss_mb": _peak_mb(),
        "rss_before_mb": rss_before,
        "vectors": ctx.vectors.count(),
    }
    ctx.close()
    return out


def load_known(prefix: str | None) -> dict[str, Any]:
    """Text -> model vector, from `export` (PREFIX.json texts, PREFIX.npy vectors)."""
    if not prefix:
        return {}
    texts = json.loads(Path(f"{prefix}.json").read_text(encoding="utf-8"))
    return dict(zip(texts, np.load(f"{prefix}.npy"), strict=True))


def export(args: argparse.Namespace) -> dict[str, Any]:
    """Save every chunk text and its model vector from a store (for `ingest --stub --known`)."""
    from companion.retrieval.context import Context

    ctx = Context(Settings(data_dir=Path(args.data)))
    collection = ctx.vectors.client.get_collection(ctx.settings.chroma.collection)
    texts: list[str] = []
    vectors: list[Any] = []
    total = collection.count()
    for offset in range(0, total, 2000):
        page = collection.get(include=["documents", "embeddings"], limit=2000, offset=offset)
        texts += page["documents"]
        vectors += list(page["embeddings"])
    np.save(f"{args.known}.npy", np.asarray(vectors, dtype=np.float32))
    Path(f"{args.known}.json").write_text(json.dumps(texts), encoding="utf-8")
    return {"vectors": len(texts)}


def chroma(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline for peak RSS: the same hashed vectors in a bare Chroma collection."""
    from raw_chroma import bare_collection

    return bare_collection(Path(args.data), Path(args.persist), args.batch, HashedUnitVectors(),
                           _peak_mb, _cpu)


def encode(args: argparse.Namespace) -> dict[str, Any]:
    from sentence_transformers import SentenceTransformer

    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    model = SentenceTransformer(Settings().resolved_model_path(), device="cpu")
    model.encode(texts[: args.batch], batch_size=args.batch)
    wall, cpu = time.perf_counter(), _cpu()
    model.encode(texts, batch_size=args.batch, normalize_embeddings=True, convert_to_numpy=True)
    return {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": _cpu() - cpu,
        "chunks": len(texts),
        "peak_rss_mb": _peak_mb(),
    }


def naive(args: argparse.Namespace) -> dict[str, Any]:
    """RecursiveCharacterTextSplitter + HuggingFaceEmbeddings + Chroma.from_documents."""
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    from evals.baselines import split_documents
    from ingest.parsers import load_session

    embeddings = HuggingFaceEmbeddings(
        model_name=Settings().resolved_model_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"batch_size": args.batch, "normalize_embeddings": True},
    )
    embeddings.embed_query("warm up")
    wall, cpu = time.perf_counter(), _cpu()
    sessions = [load_session(p) for p in sorted(Path(args.corpus).glob("*.json"))]
    docs = split_documents(sessions)
    Chroma.from_documents(docs, embeddings, collection_name="naive", persist_directory=args.persist)
    return {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": _cpu() - cpu,
        "chunks": len(docs),
        "chars": sum(len(d.page_content) for d in docs),
        "peak_rss_mb": _peak_mb(),
    }


def ask(args: argparse.Namespace) -> dict[str, Any]:
    """Per question, interleaved: `AnswerService.ask` and embed-query + raw Chroma query."""
    from companion.features.ask.service import AnswerService
    from companion.retrieval.context import Context

    ctx = Context(Settings(data_dir=Path(args.data)))
    service = AnswerService(ctx)
    collection = ctx.vectors.client.get_collection(ctx.settings.chroma.collection)
    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    for q in questions[:3]:  # warm caches, the model, SQLite pages
        service.ask(q)
    product: list[float] = []
    baseline: list[float] = []
    every_term: list[float] = []
    overlap: list[float] = []
    abstained = 0
    for q in questions:
        t = time.perf_counter()
        vector = ctx.embeddings.embed_query(q)
        collection.query(query_embeddings=[vector], n_results=args.k)
        baseline.append(time.perf_counter() - t)
        t = time.perf_counter()
        abstained += service.ask(q).abstained
        product.append(time.perf_counter() - t)
        if args.every_term:  # attribution: the lexical leg as it was, every question term
            with _every_term():
                t = time.perf_counter()
                service.ask(q)
                every_term.append(time.perf_counter() - t)
            overlap.append(_top5_overlap(ctx, q))
    return {
        "product": product,
        "baseline": baseline,
        "every_term": every_term,
        "top5_overlap": overlap,
        "abstained": abstained,
        "vectors": ctx.vectors.count(),
        "peak_rss_mb": _peak_mb(),
    }


def _top5_overlap(ctx: Any, question: str) -> float:
    """Share of the uncapped lexical leg's top 5 that the capped leg also ranks top 5."""
    from companion.core.terms import fts_query

    match = fts_query(question)
    if not match:
        return 1.0
    capped = {cid for cid, _ in ctx.catalog.search_lexical(match, 5, " AND s.consent = 1")}
    with _every_term():
        every = {cid for cid, _ in ctx.catalog.search_lexical(match, 5, " AND s.consent = 1")}
    return len(capped & every) / len(every) if every else 1.0


class _EveryTerm:
    """Stands in for `catalog._RAREST`: the MATCH expression as the question gives it."""

    def narrow(self, conn: Any, match: str, cache: Any) -> str:
        return match


@contextmanager
def _every_term() -> Iterator[None]:
    """The lexical leg matching every question term, as before the rarest-terms cap."""
    from companion.storage import catalog

    kept = catalog._RAREST
    catalog._RAREST = _EveryTerm()  # type: ignore[assignment]
    try:
        yield
    finally:
        catalog._RAREST = kept


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=("ingest", "encode", "naive", "ask", "export", "chroma"))
    parser.add_argument("--data")
    parser.add_argument("--corpus")
    parser.add_argument("--texts")
    parser.add_argument("--persist")
    parser.add_argument("--questions")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--stub", action="store_true")
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--core", action="store_true")
    parser.add_argument("--no-cache", action="store_true", help="turn the embed cache off")
    parser.add_argument("--fresh", action="store_true", help="ingest: empty --data first")
    parser.add_argument("--every-term", action="store_true",
                        help="ask: also time each question with every term in the lexical leg")
    parser.add_argument("--known", help="prefix of exported vectors (with --stub)")
    args = parser.parse_args()
    jobs = {"ingest": ingest, "encode": encode, "naive": naive, "ask": ask, "export": export,
            "chroma": chroma}
    result = jobs[args.job](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
