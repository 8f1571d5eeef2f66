"""Runs every benchmark side by side and rewrites bench/RESULTS.md and bench/results.json.

    python bench/run.py [--chunks 10000] [--big 100000] [--questions 100] [--no-http] [--quick]

Work folders live under .companion/bench/ (git-ignored); the corpora are built once and reused.
See the "What was measured" section of RESULTS.md for the method of each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus import build_corpus, chunk_texts, corpus_files, questions
from http_bench import api_available, run_http
from results import Figure, load_now, machine, percentile, write_results

from companion.core.settings import Settings
from ingest.parsers import load_session

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".companion" / "bench"
WORKER = Path(__file__).resolve().parent / "worker.py"
LOADS: dict[str, float] = {}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Query-time work embeds one short text: a second torch thread gains nothing, and on a busy
# machine the two wait on each other (~2.4 s vs ~0.1 s per question measured here at load 11).
QUERY_ENV = {"COMPANION_EMBEDDING__THREADS": "1"}


def worker(phase: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one job of bench/worker.py in a fresh process and return its JSON."""
    LOADS[phase] = load_now()
    say(f"{phase} (load {LOADS[phase]})")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", **(env or {}))
    out = subprocess.run(
        [sys.executable, str(WORKER), *args], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{phase} failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    say(
        f"  {phase}: "
        + ", ".join(
            f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
            for k, v in result.items()
            if not isinstance(v, list)
        )
    )
    return result


def corpus_subset(corpus: Path, every: int) -> Path:
    """Every n-th file of a corpus, hard-linked into its own folder (built once)."""
    target = corpus.parent / f"{corpus.name}-1in{every}"
    if not target.is_dir():
        target.mkdir()
        for path in corpus_files(corpus)[::every]:
            os.link(path, target / path.name)
    return target


def transcript_chars(corpus: Path) -> int:
    """Characters of turn text in a corpus (what both pipelines must read and embed)."""
    return sum(len(t.text) for p in corpus_files(corpus) for t in load_session(p).turns)


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def ingest_figures(corpus: Path, n: int, settings: Settings) -> tuple[list[Figure], Path]:
    """`companion ingest` vs raw encode vs the naive LangChain pipeline, then re-ingests.

    The product ingests the whole corpus; the baselines (and the listener-free core pipeline,
    for attribution) run on a fixed fifth of it, so the run fits its time budget: rates are
    compared, per chunk for raw encode and per transcript character for the naive pipeline.
    """
    store = fresh(WORK / f"store-{n}")
    product = worker(
        "companion ingest", "ingest", "--data", str(store), "--corpus", str(corpus), "--warm"
    )
    fifth = corpus_subset(corpus, 5)
    texts = chunk_texts(corpus, settings)
    sample = random.Random(0).sample(texts, max(1, len(texts) // 5))
    text_file = WORK / f"texts-{n}.json"
    text_file.write_text(json.dumps(sample), encoding="utf-8")
    batch = str(settings.embedding.batch_size)
    raw = worker("raw encode", "encode", "--texts", str(text_file), "--batch", batch)
    core = worker(
        "core ingest (no listeners)",
        "ingest",
        "--data",
        str(fresh(WORK / "store-core")),
        "--corpus",
        str(fifth),
        "--warm",
        "--core",
    )
    naive = worker(
        "naive langchain",
        "naive",
        "--corpus",
        str(fifth),
        "--persist",
        str(fresh(WORK / f"naive-{n}")),
        "--batch",
        batch,
    )
    chars, fifth_chars = transcript_chars(corpus), transcript_chars(fifth)
    rate = {
        f"{name}_{key}": r["chunks"] / r[key]
        for name, r in (("p", product), ("r", raw), ("c", core))
        for key in ("seconds", "cpu_seconds")
    }
    p_char, n_char = chars / product["seconds"], fifth_chars / naive["seconds"]
    p_char_cpu, n_char_cpu = chars / product["cpu_seconds"], fifth_chars / naive["cpu_seconds"]
    raw_name = (
        f"raw SentenceTransformer.encode of {raw['chunks']:,} of the same chunk texts, same batch"
    )
    figures = [
        Figure(
            f"companion ingest throughput, {product['chunks']:,} chunks",
            rate["p_seconds"],
            "chunks/s",
            rate["r_seconds"],
            raw_name,
            rate["p_seconds"] / rate["r_seconds"],
            "≥ 0.9",
            rate["p_seconds"] / rate["r_seconds"] >= 0.9,
            f"product {product['seconds']:.0f} s wall / {product['cpu_seconds']:.0f} CPU-s",
        ),
        Figure(
            "companion ingest throughput per CPU-second",
            rate["p_cpu_seconds"],
            "chunks/CPU-s",
            rate["r_cpu_seconds"],
            "raw encode",
            rate["p_cpu_seconds"] / rate["r_cpu_seconds"],
            "≥ 0.9",
            rate["p_cpu_seconds"] / rate["r_cpu_seconds"] >= 0.9,
            "CPU time of the process, all threads: moves less with other people's load",
        ),
        Figure(
            f"core ingest (no tips/summaries listeners), {core['chunks']:,} chunks",
            rate["c_cpu_seconds"],
            "chunks/CPU-s",
            rate["r_cpu_seconds"],
            "raw encode",
            rate["c_cpu_seconds"] / rate["r_cpu_seconds"],
            "(attribution)",
            None,
            f"parse + chunk + embed + Chroma + catalog/FTS on a fifth of the corpus; "
            f"{rate['c_seconds']:.1f} chunks/s wall",
        ),
        Figure(
            "companion ingest vs naive LangChain (wall)",
            p_char,
            "transcript chars/s",
            n_char,
            "RecursiveCharacterTextSplitter + HuggingFaceEmbeddings + Chroma.from_documents",
            p_char / n_char,
            "≥ 1.0 (not slower)",
            p_char >= n_char,
            f"naive on a fifth of the corpus: {naive['chunks']:,} chunks of ≤1000 chars, "
            f"{naive['chunks'] / naive['seconds']:.1f} chunks/s",
        ),
        Figure(
            "companion ingest vs naive LangChain (CPU)",
            p_char_cpu,
            "chars/CPU-s",
            n_char_cpu,
            "naive LangChain",
            p_char_cpu / n_char_cpu,
            "≥ 1.0",
            p_char_cpu >= n_char_cpu,
        ),
    ]
    again = worker("re-ingest unchanged", "ingest", "--data", str(store), "--corpus", str(corpus))
    share = again["seconds"] / product["seconds"]
    figures.append(
        Figure(
            "re-ingest, unchanged corpus",
            again["seconds"],
            "s",
            product["seconds"],
            "first ingest",
            share,
            "≤ 0.02",
            share <= 0.02,
            f"{again['unchanged']} sessions unchanged, {again['chunks']} chunks embedded",
        )
    )
    changed = corpus_files(corpus)[0]
    original = changed.read_bytes()
    data = json.loads(original)
    data["meeting_transcripts"][10]["content"] += " This sentence was added after the first ingest."
    changed.write_text(json.dumps(data), encoding="utf-8")
    try:
        one = worker(
            "re-ingest one session changed", "ingest", "--data", str(store), "--corpus", str(corpus)
        )
    finally:
        changed.write_bytes(original)
    figures.append(
        Figure(
            "re-ingest, one session changed",
            one["seconds"],
            "s",
            product["seconds"],
            "first ingest",
            one["seconds"] / product["seconds"],
            "",
            None,
            f"one turn edited: {one['replaced']} session replaced, {one['chunks']} "
            "chunk(s) re-embedded; includes loading the model (lazy), which an "
            "unchanged re-ingest never does",
        )
    )
    return figures, store


def rss_figures(
    small: Path, big: Path, n_small: int, n_big: int, real_store: Path
) -> tuple[list[Figure], Path]:
    """Peak RSS of ingest at two sizes, both embedding without the model.

    The chunk texts the real ingest embedded keep their model vectors (exported from its
    store); every other text gets a hashed random unit vector. The big corpus starts with the
    small one's files, so the big store holds the real chunks plus synthetic bulk.
    """
    known = WORK / f"vectors-{n_small}"
    worker("export real vectors", "export", "--data", str(real_store), "--known", str(known))
    a = worker(
        f"stub ingest {n_small:,}",
        "ingest",
        "--data",
        str(fresh(WORK / "stub-small")),
        "--corpus",
        str(small),
        "--stub",
        "--known",
        str(known),
    )
    big_store = fresh(WORK / "stub-big")
    b = worker(
        f"stub ingest {n_big:,}",
        "ingest",
        "--data",
        str(big_store),
        "--corpus",
        str(big),
        "--stub",
        "--known",
        str(known),
    )
    ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
    note = (
        f"{a['chunks']:,} and {b['chunks']:,} chunks; neither run loads the model: chunk texts "
        f"of the real {n_small:,} ingest reuse their exported model vectors, all other texts "
        "(the synthetic bulk, tips and summary sentences) get hashed random unit vectors; "
        f"ingest time without the model: {a['seconds']:.0f} s and {b['seconds']:.0f} s "
        f"({a['cpu_seconds']:.0f} and {b['cpu_seconds']:.0f} CPU-s)"
    )
    return [
        Figure(
            f"peak RSS of ingest at {n_big:,} chunks",
            b["peak_rss_mb"],
            "MB",
            a["peak_rss_mb"],
            f"at {n_small:,} chunks",
            ratio,
            "≤ 1.5",
            ratio <= 1.5,
            note,
        )
    ], big_store


def ask_figures(stores: list[tuple[str, Path]], qfile: Path, k: int) -> list[Figure]:
    """Ask p50/p95 (extractive) vs embed-query + raw Chroma query on the same store."""
    figures = []
    for label, store in stores:
        r = worker(
            f"ask latency {label}",
            "ask",
            "--data",
            str(store),
            "--questions",
            str(qfile),
            "--k",
            str(k),
            env=QUERY_ENV,
        )
        p50, p95 = percentile(r["product"], 50) * 1000, percentile(r["product"], 95) * 1000
        b50, b95 = percentile(r["baseline"], 50) * 1000, percentile(r["baseline"], 95) * 1000
        n = len(r["product"])
        figures.append(
            Figure(
                f"ask p50, {label}",
                p50,
                "ms",
                b50,
                f"embed-query + raw Chroma query (k={k})",
                p50 / b50,
                "",
                None,
                f"{n} QMSum val questions, {r['abstained']} abstained; {r['vectors']:,} vectors",
            )
        )
        figures.append(
            Figure(
                f"ask p95, {label}",
                p95,
                "ms",
                b95,
                "embed-query + raw Chroma query",
                p95 / b95,
                "≤ 1.5",
                p95 / b95 <= 1.5,
            )
        )
    return figures


def http_figures(store: Path, qs: list[str], quick: bool) -> list[Figure]:
    reason = api_available()
    if reason:
        return [Figure("HTTP POST /v1/ask", None, "", note=f"skipped: {reason}")]
    plan = [(1, 10 if quick else 40), (8, 40 if quick else 160), (32, 64 if quick else 320)]
    LOADS["http"] = load_now()
    say("HTTP load")
    figures = []
    try:
        runs = run_http(store, qs, plan, seconds=30 if quick else 90)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        say(f"HTTP failed: {exc}")
        return [Figure("HTTP POST /v1/ask", None, "", note=f"failed: {str(exc)[-300:]}")]
    for r in runs:
        p95 = percentile(r["latencies"], 95) * 1000 if r["latencies"] else None
        note = f"{r['requests']} requests in {r['seconds']:.0f} s, {r['errors']} errors"
        if r["error_examples"]:
            note += f" (e.g. {r['error_examples'][0]})"
        say(f"  {r['clients']} clients: {r['rps']:.2f} req/s, p95 {p95} ms, {r['errors']} errors")
        figures.append(
            Figure(f"HTTP ask, {r['clients']} client(s): throughput", r["rps"], "req/s", note=note)
        )
        figures.append(
            Figure(
                f"HTTP ask, {r['clients']} client(s): p95",
                p95,
                "ms",
                target="0 errors",
                met=r["errors"] == 0,
            )
        )
    return figures


METHOD = [
    "- **Corpus**: QMSum train + val meetings (real text) copied under new file names (new "
    "session ids) until the product's chunker yields the target count; from the second copy on, "
    "a seeded RNG swaps about a third of each turn's longer words for corpus words, so no "
    "sentence repeats (the manifest records the distinct-sentence share) and no cache can serve "
    "a later copy.",
    "- **Ingest**: each job in a fresh process (`bench/worker.py`), default settings (torch "
    "threads = cores), model loaded before the clock starts. Product = "
    "`build_pipeline(ctx).ingest([corpus])`, exactly what `companion ingest` runs (parse, chunk, "
    "embed, Chroma upsert, catalog + FTS, tips and summaries listeners), on the whole corpus. "
    "Baselines on a fixed part, to keep the run in its time budget: raw encode = "
    "`SentenceTransformer.encode` of a seeded random fifth of the product's own chunk texts, "
    "same batch size, normalised; naive = `RecursiveCharacterTextSplitter(1000, 100)` over "
    "'Speaker: text' transcripts + `HuggingFaceEmbeddings` of the same model folder (same batch "
    "size) + `Chroma.from_documents`, on every fifth meeting file; core = the product pipeline "
    "without listeners on the same files. Rates are compared (chunks/s against raw encode, "
    "transcript characters/s against naive).",
    "- **Peak RSS**: `ru_maxrss` of the ingest process at both sizes, neither loading the model "
    "(exported model vectors for the real chunks, hashed random unit vectors for everything "
    "else), so the figure is the pipeline's own memory: does it stream or hold the corpus.",
    "- **Ask latency**: per question, interleaved: `AnswerService.ask` (extractive; retrieval, "
    "composition, verification) and embed-query + `collection.query` on the same store, both "
    "with `COMPANION_EMBEDDING__THREADS=1` (see findings: with 2 threads a single question "
    "embedding dominates everything on a busy machine). The big store holds the real chunks "
    "with their model vectors plus synthetic bulk (rewritten QMSum text) with hashed random "
    "unit vectors; questions are embedded with the real model.",
    "- **HTTP**: `companion serve` (1 worker, `COMPANION_EMBEDDING__THREADS=1`) on loopback over "
    "the real store, an admin key from "
    "`companion keys create --scope admin --json`, rate limits lifted by environment (they are "
    "policy, not capacity); httpx clients in threads, bounded by request count and time.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.big, args.questions = 300, 2_000, 10
    started = time.perf_counter()
    info = machine()
    settings = Settings()
    WORK.mkdir(parents=True, exist_ok=True)
    say(f"corpora: {args.chunks:,} and {args.big:,} chunks")
    small = WORK / f"corpus-{args.chunks}"
    big = WORK / f"corpus-{args.big}"
    build_corpus(small, args.chunks, settings)
    build_corpus(big, args.big, settings)
    qs = questions(args.questions)
    qfile = WORK / "questions.json"
    qfile.write_text(json.dumps(qs), encoding="utf-8")
    figures, real_store = ingest_figures(small, args.chunks, settings)
    rss, big_store = rss_figures(small, big, args.chunks, args.big, real_store)
    figures += rss
    k = settings.retrieval.answer_chunks
    figures += ask_figures(
        [
            (f"{args.chunks:,} chunks (real vectors)", real_store),
            (f"{args.big:,} chunks (real + synthetic bulk)", big_store),
        ],
        qfile,
        k,
    )
    if args.no_http:
        figures.append(Figure("HTTP POST /v1/ask", None, "", note="skipped: --no-http"))
    else:
        figures += http_figures(real_store, qs, args.quick)
    context = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "minutes": (time.perf_counter() - started) / 60,
        "loads": dict(LOADS),
        "args": vars(args),
        "method": METHOD,
    }
    write_results(figures, context)
    say(f"done in {context['minutes']:.1f} min; wrote bench/RESULTS.md and bench/results.json")


if __name__ == "__main__":
    main()
