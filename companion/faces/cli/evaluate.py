"""`companion eval`: the eval suite on the sample gold or a folder of QMSum meetings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from companion.faces.cli import app


@app.command("eval")
def evaluate(
    dataset: Annotated[
        str,
        typer.Option(help="samples (the samples layout), qmsum, or tips (top tips only, on any "
                     "folder with sessions/ and gold/tips.jsonl)"),
    ] = "samples",
    path: Annotated[
        Path | None,
        typer.Option(help="dataset folder; default the bundled samples (qmsum: required)"),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="about N questions, each kind in its share, fixed seed"),
    ] = None,
    generator: Annotated[str, typer.Option(help="extractive or llm")] = "extractive",
    repeats: Annotated[
        int | None, typer.Option(min=1, help="answer runs per question (default 1; llm: 3)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="report folder; default reports/DATASET")] = None,
    cache: Annotated[
        Path | None, typer.Option(help="data dir the corpus is ingested into and reused from")
    ] = None,
    small: Annotated[
        bool,
        typer.Option(help="skip the naive LangChain baseline and the tips/peers/summaries evals"),
    ] = False,
    seed: Annotated[int, typer.Option(help="seed for --limit sampling")] = 13,
    features: Annotated[
        bool, typer.Option(help="also run the tips/peers/summaries evals (slow on QMSum)")
    ] = True,
) -> None:
    """Measure retrieval, grounding and abstention against gold; write a report and plots."""
    if dataset == "tips":
        from evals.tips_eval import SAMPLES, evaluate_corpus

        lines, written = evaluate_corpus(path or SAMPLES, cache, out or Path("reports") / "tips")
        typer.echo("\n".join(lines))
        typer.echo(f"\nreport: {written}")
        return
    from evals.report import headline_table, write_report
    from evals.runner import EvalConfig, run_eval

    config = EvalConfig(
        dataset=dataset,
        path=path,
        limit=limit,
        generator=generator,
        repeats=repeats,
        cache=cache,
        small=small,
        seed=seed,
        features=features,
        show_progress=sys.stderr.isatty(),
    )
    report = run_eval(config)
    folder = out or Path("reports") / dataset
    files = write_report(report, folder)
    typer.echo("\n".join(headline_table(report)))
    for warning in report["meta"]["ingest"]["failed"]:
        typer.echo(f"warning: not ingested: {warning}", err=True)
    typer.echo(f"\nreport: {files[1]} (all figures and records: {files[0]})")
