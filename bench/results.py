"""Figures, the machine they were measured on, and the RESULTS.md / results.json writers."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PACKAGES = (
    "torch",
    "sentence-transformers",
    "chromadb",
    "langchain-chroma",
    "langchain-huggingface",
    "langchain-text-splitters",
    "fastapi",
    "uvicorn",
)


@dataclass
class Figure:
    """One measured figure beside its baseline."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on the sorted values)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def machine() -> dict[str, Any]:
    """Cores, memory, load, Python and package versions."""
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def load_now() -> float:
    """The 1-minute load average (other engineers share this machine)."""
    return round(os.getloadavg()[0], 2)


def write_results(figures: list[Figure], context: dict[str, Any], reproduce: str) -> None:
    """Rewrite bench/results.json and bench/RESULTS.md."""
    (BENCH / "results.json").write_text(
        json.dumps({"context": context, "figures": [asdict(f) for f in figures]}, indent=1),
        encoding="utf-8",
    )
    m = context["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {context['date']} by `make bench` (`bench/run.py`), "
        f"{context['minutes']:.1f} min in all.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, {m['platform']}, "
        f"Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        f"Load average at start {m['load_average']} (the machine is shared: wall-clock figures "
        "move with other people's work; CPU-time figures and the in-run ratios move less). "
        f"Load at each phase: {context['loads']}.",
        "",
        "| figure | value | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in figures:
        base = f"{_n(f.baseline)} ({f.baseline_name})" if f.baseline is not None else "—"
        met = "—" if f.met is None else ("yes" if f.met else "**no**")
        value = f"{_n(f.value)} {f.unit}"
        lines.append(f"| {f.name} | {value} | {base} | {_n(f.ratio)} | {f.target or '—'} | {met} |")
    notes = [f for f in figures if f.note]
    if notes:
        lines += ["", "## Notes per figure", ""]
        lines += [f"- **{f.name}**: {f.note}" for f in notes]
    lines += [
        "",
        "## What was measured",
        "",
        *context["method"],
        "",
        "## How to reproduce",
        "",
        reproduce,
    ]
    findings = BENCH / "FINDINGS.md"
    if findings.is_file():
        lines += ["", findings.read_text(encoding="utf-8").strip()]
    (BENCH / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _n(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) >= 0.01 else f"{value:.4f}"
