"""`companion ingest`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json

if TYPE_CHECKING:
    pass


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="transcript/notes files and folders")],
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Ingest transcripts and notes (any mix of files and folders); unchanged files are skipped."""
    companion = open_companion(show_progress=True)
    ctx = companion.ctx
    started = time.perf_counter()
    pipeline = companion.pipeline()
    report = pipeline.ingest(paths)  # applies retention when a period is set
    purged = pipeline.purged
    elapsed = time.perf_counter() - started
    ids = [*report.added, *report.replaced, *report.unchanged]
    rows = [ctx.catalog.session_row(i) for i in ids]
    shareable = sum(1 for r in rows if r is not None and r["consent"])
    for line in report.failed:
        typer.echo(f"error: {line}", err=True)
    if json_out:
        extra = {"purged": purged} if purged is not None else {}
        print_json(report.model_dump() | extra | {"seconds": round(elapsed, 2),
                                                   "shareable": shareable})
    else:
        typer.echo(
            f"{len(report.added)} added, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; "
            f"{report.chunks_embedded} chunks embedded in {elapsed:.1f}s"
        )
        typer.echo(
            f"{shareable} of {len(ids)} sessions shareable with widget keys; "
            f"{len(ids) - shareable} private (consent: false, or not stated and "
            "COMPANION_DEFAULT_CONSENT=false)"
        )
        if purged:
            days = ctx.settings.retention_days
            typer.echo(f"{len(purged)} sessions older than {days} days purged (retention)")
    if report.failed:
        raise typer.Exit(1)

