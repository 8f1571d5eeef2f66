"""`companion ingest`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from companion.cli import app
from companion.cli.common import open_context, print_json


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="transcript/notes files and folders")],
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Ingest transcripts and notes (any mix of files and folders); unchanged files are skipped."""
    from ingest.service import build_pipeline

    ctx = open_context(show_progress=True)
    started = time.perf_counter()
    report = build_pipeline(ctx).ingest(paths)
    elapsed = time.perf_counter() - started
    for line in report.failed:
        typer.echo(f"error: {line}", err=True)
    if json_out:
        print_json(report.model_dump() | {"seconds": round(elapsed, 2)})
    else:
        typer.echo(
            f"{len(report.added)} added, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; "
            f"{report.chunks_embedded} chunks embedded in {elapsed:.1f}s"
        )
    if report.failed:
        raise typer.Exit(1)
