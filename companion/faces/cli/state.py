"""`companion export | import`: move the whole state between machines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="a new folder, or a .tar.gz / .tgz file")],
    json_out: Annotated[bool, typer.Option("--json", help="print the manifest")] = False,
) -> None:
    """Export catalog, tips, summaries, people and vectors (not API keys) to import elsewhere."""
    from ingest.audit import cli_actor
    manifest = open_companion().privacy.export(path, cli_actor())
    if json_out:
        print_json(manifest)
        return
    c = manifest.counts
    typer.echo(
        f"exported {c['sessions']} sessions, {c['chunks']} chunks and {c['vectors']} vectors "
        f"({manifest.embedding.name}, {manifest.embedding.dimension} dimensions) to {path}"
    )


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="a folder or .tar.gz made by `companion export`")],
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the sessions and vectors already here")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the manifest")] = False,
) -> None:
    """Import an export into the configured catalog and vector store, without re-embedding."""
    from ingest.audit import cli_actor
    manifest = open_companion().privacy.import_(path, cli_actor(), replace=replace)
    if json_out:
        print_json(manifest)
        return
    c = manifest.counts
    typer.echo(f"imported {c['sessions']} sessions, {c['chunks']} chunks and {c['vectors']} "
               f"vectors from {path}")
