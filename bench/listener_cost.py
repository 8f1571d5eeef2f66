"""What the tips and summaries listeners add to ingest, for two checkouts, interleaved.

    python bench/listener_cost.py --corpus DIR [--before TREE] [--rounds 2]

Per round, each checkout (`--before`, e.g. an exported older commit, then this one) ingests
`--corpus` into fresh stores twice: the core pipeline (`bench/worker.py ingest --core`: parse,
chunk, embed, Chroma, catalog + FTS) and the full product pipeline (the same plus the tips and
summaries listeners, through `bench/listener_profile.py --no-count`, which also times the chunk
writes and each listener inside the process), each in its own process with the model loaded
before the clock starts, as `bench/run.py` runs them. One raw `SentenceTransformer.encode` of
the product's chunk texts runs per round too. The order flips every round, so drift in the
machine's load falls on both sides.

Prints one JSON line per job, then a summary: CPU-seconds per job (median over rounds); full over
core; the listeners' CPU over the chunk writes' inside each full job (median; less exposed to the
load moving between jobs); raw encode over full and over core (the bench's "ingest vs raw
encode" ratio, as every contender embeds the same chunks). A small `bench/run.py` ingest phase,
without its 45 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from corpus import chunk_texts
from results import load_now

from companion.core.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / ".companion" / "bench" / "listener-cost"
ENV = {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
       "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}


def job(tree: Path, *args: str) -> dict[str, Any]:
    """One bench/worker.py job of checkout `tree` (or, for "profile", this checkout's
    bench/listener_profile.py), in a fresh process; its JSON line."""
    env = dict(os.environ, **ENV)
    env.pop("PYTHONPATH", None)  # the script puts the checkout to measure first on sys.path
    script = HERE / "listener_profile.py" if args[0] == "profile" else tree / "bench" / "worker.py"
    args = args[1:] if args[0] == "profile" else args
    out = subprocess.run([sys.executable, str(script), *args], env=env,
                         capture_output=True, text=True, cwd=tree)
    if out.returncode != 0:
        raise RuntimeError(f"{tree} {args[:1]} failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    settings = Settings()
    WORK.mkdir(parents=True, exist_ok=True)
    texts = WORK / "texts.json"
    texts.write_text(json.dumps(chunk_texts(args.corpus, settings)), encoding="utf-8")
    trees = {"after": ROOT}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    plan = [("raw", "raw")] + [(name, kind) for name in trees for kind in ("core", "full")]
    cpu: dict[tuple[str, str], list[float]] = {}
    share: dict[str, list[float]] = {}
    for r in range(args.rounds):
        for name, kind in plan if r % 2 == 0 else plan[::-1]:
            load = load_now()
            if kind == "raw":
                out = job(ROOT, "encode", "--texts", str(texts),
                          "--batch", str(settings.embedding.batch_size))
            else:
                data = WORK / f"store-{name}-{kind}"
                shutil.rmtree(data, ignore_errors=True)
                corpus = str(args.corpus.resolve())
                if kind == "core":
                    out = job(trees[name], "ingest", "--data", str(data), "--corpus", corpus,
                              "--warm", "--core")
                else:
                    out = job(ROOT, "profile", "--data", str(data), "--corpus", corpus,
                              "--tree", str(trees[name]), "--no-count")
                    stages = out["stages"]
                    chunk_cpu = stages.pop("chunks (embed + Chroma)")
                    share.setdefault(name, []).append(sum(stages.values()) / chunk_cpu)
            cpu.setdefault((name, kind), []).append(out["cpu_seconds"])
            print(json.dumps({"round": r, "tree": name, "kind": kind, "load": load,
                              "cpu_seconds": round(out["cpu_seconds"], 2),
                              "seconds": round(out["seconds"], 2), "chunks": out["chunks"],
                              "listeners_over_chunks": round(share[name][-1], 3)
                              if kind == "full" else None,
                              "at": time.strftime("%H:%M:%S")}), flush=True)
    med = {key: statistics.median(values) for key, values in cpu.items()}
    summary: dict[str, Any] = {"corpus": str(args.corpus), "rounds": args.rounds,
                               "median_cpu_seconds": {f"{n} {k}": round(v, 2)
                                                      for (n, k), v in med.items()}}
    for name in trees:
        full, core = med[(name, "full")], med[(name, "core")]
        summary[name] = {"full_over_core": round(full / core, 3),
                         "listeners_over_chunks": round(statistics.median(share[name]), 3),
                         "raw_over_full": round(med[("raw", "raw")] / full, 3),
                         "raw_over_core": round(med[("raw", "raw")] / core, 3)}
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
