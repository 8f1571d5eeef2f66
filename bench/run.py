"""Runs every benchmark side by side and rewrites bench/RESULTS.md and bench/results.json.

    python bench/run.py [--chunks 10000] [--mid 30000] [--big 100000]
                        [--rss-small N] [--rss-minutes M] [--questions 100]
                        [--http-seconds 90] [--no-http] [--reuse-bulk] [--quick]

Work folders live under .companion/bench/ (git-ignored); the corpora are built once and reused.
See the "What was measured" section of RESULTS.md for the method of each figure.
"""

from __future__ import annotations

import argparse
import json
import os
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
from rss_baseline import raw_chroma_figures

from companion.core.settings import Settings
from ingest.parsers import load_session

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".companion" / "bench"
WORKER = Path(__file__).resolve().parent / "worker.py"
LOADS: dict[str, float] = {}
REUSE_BULK = False  # --reuse-bulk: keep the synthetic ask stores of an earlier run
REUSE_RSS = False  # --reuse-rss: keep the finished peak-RSS ingests of an earlier run


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Query-time work embeds one short text: a second torch thread gains nothing, and on a busy
# machine the two wait on each other (~2.4 s vs ~0.1 s per question measured here at load 11).
QUERY_ENV = {"COMPANION_EMBEDDING__THREADS": "1"}
# Every worker gets the thread policy the product sets for itself when it loads the model
# (`companion/storage/embeddings.py`: idle OpenMP threads sleep): raw encode and the naive
# LangChain pipeline would otherwise spin idle threads and be charged CPU the product is not,
# which flatters the ingest ratios (0.76 vs 0.70 like for like on one file in the 2026-12-02 run).
WORKER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
}


def worker(phase: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one job of bench/worker.py in a fresh process and return its JSON."""
    LOADS[phase] = load_now()
    say(f"{phase} (load {LOADS[phase]})")
    env = dict(os.environ, **WORKER_ENV, **(env or {}))
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

    The product ingests the whole corpus once (that store serves ask and HTTP). The
    comparisons run on a fixed fifth of it, back to back: raw encode, naive, the product with
    the embed cache on and off, and the listener-free core pipeline (attribution); rates per
    CPU-second, per chunk against raw encode and per transcript character against naive.
    """
    store = fresh(WORK / f"store-{n}")
    product = worker(
        "companion ingest", "ingest", "--data", str(store), "--corpus", str(corpus), "--warm"
    )
    fifth = corpus_subset(corpus, 5)
    texts = chunk_texts(fifth, settings)
    text_file = WORK / f"texts-{n}.json"
    text_file.write_text(json.dumps(texts), encoding="utf-8")
    batch = str(settings.embedding.batch_size)
    # The same fifth of the corpus for every contender, one right after the other, so they
    # share the machine's load: raw encode of the product's own chunk texts, the naive
    # LangChain pipeline on the same files, and the product with its embed cache on and off.
    raw = worker("raw encode", "encode", "--texts", str(text_file), "--batch", batch)
    naive = worker(
        "naive langchain", "naive", "--corpus", str(fifth),
        "--persist", str(fresh(WORK / f"naive-{n}")), "--batch", batch,
    )
    runs = {
        "on": worker("product ingest, cache on", "ingest", "--data",
                     str(fresh(WORK / "store-fifth")), "--corpus", str(fifth), "--warm"),
        "off": worker("product ingest, cache off", "ingest", "--data",
                      str(fresh(WORK / "store-fifth-nocache")), "--corpus", str(fifth),
                      "--warm", "--no-cache"),
    }
    core = worker(
        "core ingest (no listeners)", "ingest", "--data", str(fresh(WORK / "store-core")),
        "--corpus", str(fifth), "--warm", "--core",
    )
    fifth_chars = transcript_chars(fifth)
    raw_rate = raw["chunks"] / raw["cpu_seconds"]
    naive_rate = fifth_chars / naive["cpu_seconds"]
    figures = [
        Figure(
            f"companion ingest, whole corpus, {product['chunks']:,} chunks (wall)",
            product["chunks"] / product["seconds"],
            "chunks/s",
            note=f"{product['seconds']:.0f} s wall / {product['cpu_seconds']:.0f} CPU-s; "
            "builds the store that the ask and HTTP figures read",
        )
    ]
    for cache, r in runs.items():
        rate = r["chunks"] / r["cpu_seconds"]
        char_rate = fifth_chars / r["cpu_seconds"]
        figures += [
            Figure(
                f"ingest vs raw encode per CPU-second, embed cache {cache}",
                rate, "chunks/CPU-s", raw_rate,
                f"SentenceTransformer.encode of the same {raw['chunks']:,} chunk texts, same batch",
                rate / raw_rate, "≥ 0.9", rate / raw_rate >= 0.9,
                f"{r['chunks']:,} chunks in {r['cpu_seconds']:.0f} CPU-s "
                f"({r['seconds']:.0f} s wall); raw {raw['cpu_seconds']:.0f} CPU-s",
            ),
            Figure(
                f"ingest vs naive LangChain per CPU-second, embed cache {cache}",
                char_rate, "chars/CPU-s", naive_rate,
                "RecursiveCharacterTextSplitter + HuggingFaceEmbeddings + Chroma.from_documents",
                char_rate / naive_rate, "≥ 1.0", char_rate >= naive_rate,
                f"same {fifth_chars:,} transcript characters; naive {naive['chunks']:,} chunks "
                f"of ≤1000 chars in {naive['cpu_seconds']:.0f} CPU-s",
            ),
        ]
    core_rate = core["chunks"] / core["cpu_seconds"]
    figures.append(Figure(
        "core ingest (no tips/summaries listeners)", core_rate, "chunks/CPU-s", raw_rate,
        "raw encode", core_rate / raw_rate, "(attribution)", None,
        "parse + chunk + embed + Chroma + catalog/FTS on the same fifth",
    ))
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


class Background:
    """A bench/worker.py job running beside the timed phases (memory, not time, is measured)."""

    def __init__(self, phase: str, output: Path, *args: str) -> None:
        self.phase = phase
        self.output = output
        self.proc: subprocess.Popen[str] | None = None
        self.pid = _running(output.with_suffix(".pid"))
        if REUSE_RSS and (_last_json(output) or self.pid):
            say(f"{phase}: reusing {output.name} (--reuse-rss)"
                + (f", still running as pid {self.pid}" if self.pid else ""))
            return
        LOADS[phase] = load_now()
        say(f"{phase} started in the background (load {LOADS[phase]})")
        env = dict(os.environ, **WORKER_ENV)
        with output.open("w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKER), *args], env=env, stdout=out,
                stderr=subprocess.DEVNULL, text=True,
            )
        self.pid = self.proc.pid
        output.with_suffix(".pid").write_text(str(self.pid), encoding="utf-8")

    def peak_so_far_mb(self) -> float | None:
        """VmHWM (peak resident set) of the running job, from /proc."""
        if self.pid is None:
            return None
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "")
        return int(line.split()[1]) / 1024 if line else None

    def result(self, deadline: float) -> dict[str, Any]:
        """The job's JSON, or {"unfinished": True, "peak_rss_mb": ...} once `deadline` passes."""
        if self.proc is not None:
            try:
                self.proc.wait(timeout=max(1.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                peak = self.peak_so_far_mb()
                self.proc.kill()
                self.proc.wait()
                say(f"  {self.phase}: unfinished at the deadline, peak so far {peak} MB")
                return {"unfinished": True, "peak_rss_mb": peak}
            if self.proc.returncode != 0:
                raise RuntimeError(f"{self.phase} failed (exit {self.proc.returncode})")
        elif self.pid is not None:  # started by an earlier invocation (--reuse-rss)
            while _alive(self.pid) and time.time() < deadline:
                time.sleep(10)
            if _alive(self.pid):
                peak = self.peak_so_far_mb()
                os.kill(self.pid, 9)
                say(f"  {self.phase}: unfinished at the deadline, peak so far {peak} MB")
                return {"unfinished": True, "peak_rss_mb": peak}
        result = _last_json(self.output)
        if result is None:
            raise RuntimeError(f"{self.phase}: no result in {self.output}")
        say(f"  {self.phase}: {result['chunks']:,} chunks, peak {result['peak_rss_mb']:.0f} MB")
        return result


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").is_dir()


def _running(pid_file: Path) -> int | None:
    """The pid in `pid_file` while that process still runs (a job of an earlier invocation)."""
    try:
        pid = int(pid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _last_json(path: Path) -> dict[str, Any] | None:
    """The JSON line a finished worker printed last, if any."""
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    if not lines:
        return None
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except json.JSONDecodeError:
        return None
    return result


def start_rss(corpus: Path, n: int) -> dict[str, Background]:
    """Ingests of the `--rss-small` corpus without the model, in the background.

    "core" is the pipeline without listeners (what the big bulk store's build runs, so the two
    compare); "full" has the tips and summaries listeners on. Every text gets a hashed random
    unit vector, so the figures are the pipeline's own memory (does it stream or hold the
    corpus), not the model's; only their peak RSS is reported, so they run beside the timed
    phases.
    """
    jobs = {}
    for kind, extra in (("core", ["--core"]), ("full", [])):
        jobs[kind] = Background(
            f"stub ingest {n:,} ({kind})", WORK / f"rss-{n}-{kind}.out", "ingest", "--data",
            str(WORK / f"stub-{n}-{kind}"), "--corpus", str(corpus), "--stub", "--fresh", *extra,
        )
    return jobs


def rss_figures(
    jobs: dict[str, Background], big: dict[str, Any], n_small: int, deadline: float,
    big_store: Path,
) -> list[Figure]:
    """Peak RSS of the core pipeline at the big size against the small one, and listeners' share.

    Then the attribution rows: the same vectors in a bare Chroma collection (`rss_baseline`).
    """
    core, full = jobs["core"].result(deadline), jobs["full"].result(deadline)
    figures = []
    if core.get("unfinished"):
        figures.append(Figure(
            "peak RSS of core ingest at the big size", big["peak_rss_mb"], "MB",
            note=f"the {n_small:,}-chunk ingest did not finish by --rss-minutes: no ratio",
        ))
    else:
        ratio = big["peak_rss_mb"] / core["peak_rss_mb"]
        figures.append(Figure(
            f"peak RSS of core ingest (no listeners) at {big['vectors']:,} chunks",
            big["peak_rss_mb"], "MB", core["peak_rss_mb"], f"at {core['chunks']:,} chunks",
            ratio, "≤ 1.5", ratio <= 1.5,
            f"the big ask store's build ({big['chunks']:,} chunks ingested into a copy of the "
            f"real store) against a fresh {core['chunks']:,}-chunk ingest; parse, chunk, "
            "catalog + FTS, Chroma, hashed unit vectors instead of the model (synthetic); "
            f"{big['cpu_seconds']:.0f} and {core['cpu_seconds']:.0f} CPU-s",
        ))
    if not (core.get("unfinished") or full.get("unfinished")):
        share = full["peak_rss_mb"] / core["peak_rss_mb"]
        figures.append(Figure(
            f"peak RSS of full ingest (tips + summaries listeners) at {full['chunks']:,} chunks",
            full["peak_rss_mb"], "MB", core["peak_rss_mb"], "core ingest, same corpus", share,
            "(attribution)", None,
            f"hashed unit vectors (synthetic) for every text; {full['cpu_seconds']:.0f} CPU-s "
            f"against {core['cpu_seconds']:.0f} for the core pipeline",
        ))
    if not core.get("unfinished"):
        batch = Settings().embedding.batch_size * 4  # what IngestPipeline adds per call
        figures += raw_chroma_figures(
            worker, WORK, {"small": WORK / f"stub-{n_small}-core", "big": big_store}, batch,
            core, big)
    return figures


def bulk_store(base: Path, corpus: Path, name: str, known: Path) -> tuple[Path, dict[str, Any]]:
    """A copy of `base` grown to the corpus's size with synthetic bulk, for ask latency.

    The bulk goes through the core pipeline (parse, chunk, catalog + FTS, Chroma) with
    deterministic hashed unit vectors instead of the model and without the tips and summaries
    listeners: ask reads only chunks, FTS and vectors. Sessions already in `base` are unchanged.
    The build's own figures (time, peak RSS) are kept beside it, in NAME.json.
    """
    target = WORK / name
    saved = WORK / f"{name}.json"
    if REUSE_BULK and (target / "catalog.sqlite3").is_file():
        pid = _running(WORK / f"{name}.pid")
        if pid:  # an earlier invocation's build is still writing it: wait for it
            say(f"waiting for {name}, still being built by pid {pid}")
            while _alive(pid):
                time.sleep(10)
        for _ in range(12):  # its result lands just after it exits
            if _last_json(saved):
                say(f"reusing {name} (--reuse-bulk)")
                return target, _last_json(saved) or {}
            time.sleep(10)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target)
    result = worker(f"bulk store {name}", "ingest", "--data", str(target), "--corpus",
                    str(corpus), "--stub", "--known", str(known), "--core")
    saved.write_text(json.dumps(result), encoding="utf-8")
    return target, result


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
            "--every-term",
            env=QUERY_ENV,
        )
        label = f"{r['vectors']:,} chunks ({label})"  # what the store really holds
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
        if r.get("every_term"):
            e95 = percentile(r["every_term"], 95) * 1000
            figures.append(Figure(
                f"ask p95 with every question term in the lexical leg, {label}", e95, "ms", b95,
                "embed-query + raw Chroma query", e95 / b95, "(attribution)", None,
                "the same questions, same loop, with the lexical leg as before its "
                "rarest-terms cap",
            ))
            shared = sum(r["top5_overlap"]) / len(r["top5_overlap"])
            figures.append(Figure(
                f"lexical top 5 unchanged by the term cap, {label}", shared, "share",
                target="(proxy)", note="mean share of the uncapped lexical leg's top 5 chunks "
                "that the capped leg also ranks top 5 (same questions, consented sessions); a "
                "proxy for what the cap changes, not a recall figure",
            ))
    return figures


def http_figures(store: Path, qs: list[str], seconds: int) -> list[Figure]:
    reason = api_available()
    if reason:
        return [Figure("HTTP POST /v1/ask", None, "", note=f"skipped: {reason}")]
    quick = seconds < 60
    plan = [(1, 10 if quick else 40), (8, 40 if quick else 160), (32, 64 if quick else 320)]
    LOADS["http"] = load_now()
    say("HTTP load")
    figures = []
    try:
        runs = run_http(store, qs, plan, seconds=seconds)
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
    "a later copy. A bigger corpus starts with the smaller one's files.",
    "- **Ingest**: each job in a fresh process (`bench/worker.py`), default settings (torch "
    "threads = cores; every contender with `OMP_WAIT_POLICY=PASSIVE`, the policy the product "
    "sets for itself), model loaded before the clock starts. Product = "
    "`build_pipeline(ctx).ingest([corpus])` (= `Companion(ctx=ctx).pipeline().ingest`, what "
    "`companion ingest` runs: parse, chunk, embed, Chroma upsert, catalog + FTS, tips and "
    "summaries listeners). It ingests the whole small corpus once for the store; the ratios come "
    "from one fifth of its files (every fifth file), run back to back in this order: raw "
    "`SentenceTransformer.encode` of the product's own chunk texts of that fifth (same batch, "
    "normalised), naive = `RecursiveCharacterTextSplitter(1000, 100)` over 'Speaker: text' + "
    "`HuggingFaceEmbeddings` (same model folder, same batch) + `Chroma.from_documents`, the "
    "product with its 4,096-sentence embed cache on, the product with it off (every embed call "
    "encodes), the product without listeners (attribution). Compared per CPU-second of the "
    "process (all threads), which moves less with other people's load than wall time. Each "
    "process loads what it reuses before the clock starts: the model, and for the product "
    "also its Chroma client (the naive pipeline imports Chroma before its clock and opens its "
    "client inside it).",
    "- **Peak RSS**: `ru_maxrss` of ingests that do not load the model (every text gets a "
    "hashed random unit vector, synthetic), so the figure is the pipeline's own memory: does "
    "it stream or hold the corpus. At `--big`: the big ask store's build (core pipeline, no "
    "listeners). At `--rss-small` (default `--chunks`): the same core pipeline on a fresh store, "
    "and the full pipeline with the tips and summaries listeners (attribution). The small ones "
    "run in the background beside the timed phases (only memory is reported from them); one "
    "not finished by `--rss-minutes` is reported without a ratio. Attribution: the same hashed "
    "vectors (read back from each store's catalog) added to a bare Chroma `PersistentClient` "
    "collection (ids + vectors, cosine, the pipeline's batch size) in a fresh process, at both "
    "sizes; the core ingest's peak minus the bare collection's is the pipeline's own memory.",
    "- **Ask latency**: the mid and big stores are the real store plus synthetic bulk: the "
    "bigger corpora's other files (distinct rewritten text) go through the core pipeline "
    "(catalog + FTS + Chroma) with deterministic hashed unit vectors, no model and no listeners. "
    "Per question, interleaved on the same store: `AnswerService.ask` (extractive; retrieval, "
    "composition, verification) and embed-query + `collection.query(k)`; both with "
    "`COMPANION_EMBEDDING__THREADS=1`; questions (QMSum val) embedded with the real model. "
    "Attribution, same loop: `AnswerService.ask` again with the lexical leg matching every "
    "question term (as before its rarest-terms cap, `companion/storage/lexical.py`).",
    "- **HTTP**: `companion serve` (1 worker, `COMPANION_EMBEDDING__THREADS=1`) on loopback over "
    "the real small store, an admin key from "
    "`companion keys create --scope admin --json`, rate limits lifted by environment (they are "
    "policy, not capacity); httpx clients in threads, bounded by request count and time.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--mid", type=int, default=30_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--rss-small", type=int, default=None,
                        help="size of the small peak-RSS ingest (default: --chunks)")
    parser.add_argument("--rss-minutes", type=float, default=240.0,
                        help="stop the peak-RSS ingests after this long (reported as unfinished)")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--http-seconds", type=int, default=90)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--reuse-bulk", action="store_true",
                        help="reuse the synthetic ask stores (bulk-N) of an earlier run")
    parser.add_argument("--reuse-rss", action="store_true",
                        help="reuse the finished peak-RSS ingests (rss-N.out) of an earlier run")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.mid, args.big, args.questions = 300, 1_000, 2_000, 10
        args.http_seconds = 30
    args.rss_small = args.rss_small or args.chunks
    global REUSE_BULK, REUSE_RSS
    REUSE_BULK = args.reuse_bulk
    REUSE_RSS = args.reuse_rss
    started = time.perf_counter()
    info = machine()
    settings = Settings()
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = sorted({args.chunks, args.mid, args.big, args.rss_small})
    say("corpora: " + ", ".join(f"{n:,}" for n in sizes) + " chunks")
    corpora = {n: WORK / f"corpus-{n}" for n in sizes}
    for n, folder in corpora.items():
        build_corpus(folder, n, settings)
    qs = questions(args.questions)
    qfile = WORK / "questions.json"
    qfile.write_text(json.dumps(qs), encoding="utf-8")
    small = corpora[args.chunks]
    rss_jobs = start_rss(corpora[args.rss_small], args.rss_small)
    rss_deadline = time.time() + args.rss_minutes * 60
    figures, real_store = ingest_figures(small, args.chunks, settings)
    known = WORK / f"vectors-{args.chunks}"
    worker("export real vectors", "export", "--data", str(real_store), "--known", str(known))
    mid_store, _ = bulk_store(real_store, corpora[args.mid], f"bulk-{args.mid}", known)
    big_store, big_build = bulk_store(real_store, corpora[args.big], f"bulk-{args.big}", known)
    k = settings.retrieval.answer_chunks
    figures += ask_figures(
        [
            ("real vectors", real_store),
            (f"real + synthetic bulk, --mid {args.mid:,}", mid_store),
            (f"real + synthetic bulk, --big {args.big:,}", big_store),
        ],
        qfile,
        k,
    )
    if args.no_http:
        figures.append(Figure("HTTP POST /v1/ask", None, "", note="skipped: --no-http"))
    else:
        figures += http_figures(real_store, qs, args.http_seconds)
    figures += rss_figures(rss_jobs, big_build, args.rss_small, rss_deadline, big_store)
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
