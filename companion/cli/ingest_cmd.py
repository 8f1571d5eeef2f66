"""`companion ingest`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from companion.cli import app
from companion.cli.common import open_context, print_json

if TYPE_CHECKING:
    from companion.context import Context
    from ingest.service import AuditedPipeline


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="transcript/notes files and folders")],
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Ingest transcripts and notes (any mix of files and folders); unchanged files are skipped."""
    from ingest.service import build_pipeline

    ctx = open_context(show_progress=True)
    started = time.perf_counter()
    pipeline = build_pipeline(ctx)
    report = pipeline.ingest(paths)
    purged = _apply_retention(ctx, pipeline)
    elapsed = time.perf_counter() - started
    for line in report.failed:
        typer.echo(f"error: {line}", err=True)
    if json_out:
        extra = {"purged": purged} if purged is not None else {}
        print_json(report.model_dump() | extra | {"seconds": round(elapsed, 2)})
    else:
        typer.echo(
            f"{len(report.added)} added, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; "
            f"{report.chunks_embedded} chunks embedded in {elapsed:.1f}s"
        )
        if purged:
            days = ctx.settings.retention_days
            typer.echo(f"{len(purged)} sessions older than {days} days purged (retention)")
    if report.failed:
        raise typer.Exit(1)


def _apply_retention(ctx: Context, pipeline: AuditedPipeline) -> list[str] | None:
    """Delete expired sessions when COMPANION_RETENTION_DAYS is set; None when it is not."""
    if ctx.settings.retention_days is None:
        return None
    from companion.privacy.retention import purge_sessions

    return purge_sessions(ctx, ctx.settings.retention_days, pipeline.actor,
                          pipeline=pipeline).deleted
