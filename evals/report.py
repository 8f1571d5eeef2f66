"""Writes an eval report: `report.json` (everything), `report.md` (tables) and PNG plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.metrics import KS

PLOTS = ("recall_at_k.png", "similarity.png", "domains.png")


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """Write report.json, report.md and the plots into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.json"]
    written[0].write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    plots, plot_note = write_plots(report, out)
    md = out / "report.md"
    md.write_text(render_markdown(report, plots, plot_note), encoding="utf-8")
    return [*written, md, *plots]


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|",
    ]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return lines


def headline_table(report: dict[str, Any]) -> list[str]:
    """The product beside its baselines: retrieval, grounding and abstention in one table."""
    head = [
        "system",
        "n",
        *(f"recall@{k}" for k in KS),
        "hit@5",
        "precision@5",
        "MRR",
        "nDCG@10",
        "answer hit (first 5 citations)",
        "citations in gold",
        "confidence AUROC",
        "citation validity",
        "supported sentences",
        "composed supported",
        "abstention F1",
    ]
    rows = [
        [
            r["system"],
            r["n"],
            *(r.get(f"recall@{k}") for k in KS),
            r.get("hit@5"),
            r.get("precision@5"),
            r.get("mrr"),
            r.get("ndcg10"),
            r.get("answer_hit_rate_first5", "—"),
            r.get("citation_gold_precision", "—"),
            r.get("confidence_auroc", "—"),
            r.get("citation_validity", "—"),
            r.get("supported_sentence_ratio", "—"),
            r.get("composed_supported_ratio", "—"),
            r.get("abstention_f1", "—"),
        ]
        for r in report["headline"]
    ]
    return _table(head, rows)


def render_markdown(report: dict[str, Any], plots: Sequence[Path], plot_note: str = "") -> str:
    """The report as Markdown a person reads."""
    meta = report["meta"]
    lines = [
        f"# Eval report: {meta['dataset']} ({meta['date']})",
        "",
        f"Data `{meta['path']}`; {meta['questions']} questions; "
        f"{meta['sessions_ingested']} sessions ingested{_held_out(meta)}; "
        f"generator `{meta['generator']}` × {meta['runs']} run(s); "
        f"seed {meta['seed']}; {meta['seconds']} s. Definitions: `evals/README.md`.",
        "",
        "## Headline",
        "",
        "Retrieval over every answerable question; the product's abstentions count as misses. "
        "Baselines have no answers: their hit@5 and precision@5 are what an answer citing their "
        "top five chunks would score. Answer, grounding, confidence and abstention figures are "
        "the product's.",
        "",
        *headline_table(report),
        "",
    ]
    lines += _retrieval_sections(report)
    lines += _grounding_section(report)
    lines += _abstention_section(report)
    lines += _features_section(report)
    if meta["warnings"]:
        lines += ["## Dataset warnings", "", *(f"- {w}" for w in meta["warnings"][:30]), ""]
    lines += ["## Plots", ""]
    lines += [f"![{p.stem}]({p.name})" for p in plots] or [plot_note]
    return "\n".join(lines) + "\n"


def _held_out(meta: dict[str, Any]) -> str:
    if not meta.get("held_out"):
        return ""
    return f", {len(meta['held_out'])} held out ({', '.join(meta['held_out'])})"


def _retrieval_sections(report: dict[str, Any]) -> list[str]:
    systems = report["systems"]
    lines = ["## Retrieval on every answerable question (abstention ignored)", ""]
    rows = [
        [s, v.get("n"), v.get("recall@5"), v.get("hit@5"), v.get("mrr"), v.get("ndcg10")]
        for s, v in report["retrieval_all_answerable"].items()
    ]
    lines += [*_table(["system", "n", "recall@5", "hit@5", "MRR", "nDCG@10"], rows), ""]
    lines += ["## Retrieval by domain (recall@5 / MRR)", ""]
    domains = sorted({d for s in systems for d in report["retrieval"][s]["by_domain"]})
    rows = []
    for d in domains:
        cells = [report["retrieval"][s]["by_domain"].get(d, {}) for s in systems]
        n = next((c.get("n") for c in cells if c), 0)
        rows.append([d, n, *(f"{_f(c.get('recall@5'))} / {_f(c.get('mrr'))}" for c in cells)])
    return [*lines, *_table(["domain", "n", *systems], rows), ""]


GROUNDING_LABELS = {
    "citation_validity": "citation validity (quote verbatim in the cited turns)",
    "supported_sentence_ratio": "supported sentences in delivered answers",
    "composed_supported_ratio": "supported sentences before the verifier (kept / composed)",
    "citation_gold_precision": "citations inside a gold span (answerable)",
    "answer_gold_hit_rate": "answers citing at least one gold span",
    "answered_answerable_rate": "answerable questions answered",
    "answer_hit_rate_first5": "answerable questions whose first five citations hit a gold span",
    "confidence_auroc": "AUROC of confidence vs citing a gold span (answerable)",
    "confidence_auroc_with_held_out": "AUROC of confidence vs citing a gold span (+ held-out)",
    "abstention_f1": "abstention F1",
    "rouge_l": "ROUGE-L F vs gold answer (not gated)",
    "embedding_cosine": "embedding cosine vs gold answer (not gated)",
}


def _grounding_section(report: dict[str, Any]) -> list[str]:
    spread = report["grounding_and_answers"]
    rows = []
    for key, label in GROUNDING_LABELS.items():
        s = spread.get(key, {})
        value = (
            "n/a"
            if s.get("mean") is None
            else (
                f"{s['mean']:.3f}"
                + (
                    f" ± {s['std']:.3f} (min {s['min']:.3f}, max {s['max']:.3f})"
                    if s["runs"] > 1
                    else ""
                )
            )
        )
        rows.append([label, value])
    lines = ["## Grounding and answers", "", *_table(["figure", "mean ± sd over runs"], rows), ""]
    examples = report["unsupported_examples"]
    lines += ["### Unsupported claims (examples)", ""]
    lines += [
        f"- `{e['id']}` ({e['stage']}): “{e['sentence'][:160]}” — {e['reason']}" for e in examples
    ] or ["none"]
    return [*lines, ""]


def _abstention_section(report: dict[str, Any]) -> list[str]:
    a = report["abstention"]
    c = a["confusion"]
    lines = [
        "## Abstention (abstaining is the positive class)",
        "",
        f"precision {_f(a['precision'])}, recall {_f(a['recall'])}, F1 {_f(a['f1'])}, "
        f"accuracy {_f(a['accuracy'])}",
        "",
        *_table(
            ["", "abstained", "answered"],
            [
                ["unanswerable", c["abstained_unanswerable"], c["answered_unanswerable"]],
                ["answerable", c["abstained_answerable"], c["answered_answerable"]],
            ],
        ),
        "",
        *_table(
            ["kind", "n", "abstained", "rate"],
            [
                [k, v["n"], v["abstained"], v["abstained"] / v["n"] if v["n"] else None]
                for k, v in sorted(report["abstention_by_kind"].items())
            ],
        ),
        "",
    ]
    threshold = report["meta"]["settings"]["retrieval"].get("abstain_threshold")
    sweep = report["threshold_sweep"]
    best = max(sweep, key=lambda r: r["f1"] or 0.0)
    lines += [
        f"Threshold sweep on the best chunk cosine (current {threshold}; best F1 "
        f"{_f(best['f1'])} at {best['threshold']}):",
        "",
    ]
    rows = [[r["threshold"], r["precision"], r["recall"], r["f1"]] for r in sweep[::2]]
    return [*lines, *_table(["threshold", "precision", "recall", "F1"], rows), ""]


def _features_section(report: dict[str, Any]) -> list[str]:
    lines = ["## Tips, peers, summaries", ""]
    if not report.get("features"):
        return [*lines, "not measured (small mode)", ""]
    for feature, result in report["features"].items():
        if result["status"] != "measured":
            lines.append(f"- **{feature}**: {result['status'].upper()} — {result['reason']}")
            continue
        # Calibration sweeps belong to the module's own report, not to this summary line.
        shown = {k: v for k, v in result["figures"].items() if "calibration" not in k}
        figures = ", ".join(f"{k} {_f(v)}" for k, v in shown.items())
        lines.append(f"- **{feature}** (`{result['source']}`): {figures}")
    return [*lines, ""]


# -- plots --------------------------------------------------------------------------------------


def write_plots(report: dict[str, Any], out: Path) -> tuple[list[Path], str]:
    """recall@k per system, best-cosine distributions, per-domain recall@5; or why not."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return (
            [],
            'plots not drawn: matplotlib is not installed (pip install "learning-companion[eval]")',
        )
    paths = [out / name for name in PLOTS]
    fig, ax = plt.subplots(figsize=(6, 4))
    for system in report["systems"]:
        overall = report["retrieval"][system]["overall"]
        ax.plot(KS, [overall.get(f"recall@{k}", 0.0) for k in KS], marker="o", label=system)
    ax.set(
        xlabel="k",
        ylabel="recall@k of gold spans",
        title="Retrieval recall@k",
        xticks=list(KS),
        ylim=(0, 1),
    )
    ax.legend()
    _save(fig, paths[0])
    fig, ax = plt.subplots(figsize=(6, 4))
    by_kind: dict[str, list[float]] = {}
    for r in report["records"]:
        by_kind.setdefault(r["kind"], []).append(r["best_similarity"])
    bins = [i / 40 for i in range(41)]
    for kind, values in sorted(by_kind.items()):
        ax.hist(values, bins=bins, alpha=0.55, label=f"{kind} ({len(values)})")
    threshold = report["meta"]["settings"]["retrieval"].get("abstain_threshold")
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", label=f"abstain below {threshold}")
    ax.set(
        xlabel="best cosine of the question to any chunk",
        ylabel="questions",
        title="Answerable vs unanswerable",
    )
    ax.legend()
    _save(fig, paths[1])
    fig, ax = plt.subplots(figsize=(7, 4))
    systems = report["systems"]
    domains = sorted({d for s in systems for d in report["retrieval"][s]["by_domain"]})
    width = 0.8 / max(1, len(systems))
    for i, system in enumerate(systems):
        values = [
            report["retrieval"][system]["by_domain"].get(d, {}).get("recall@5", 0.0)
            for d in domains
        ]
        ax.bar([x + i * width for x in range(len(domains))], values, width, label=system)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(domains))], domains, rotation=15)
    ax.set(ylabel="recall@5", title="recall@5 by domain", ylim=(0, 1))
    ax.legend(fontsize="small")
    _save(fig, paths[2])
    return paths, ""


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
