"""`companion sessions list | show | delete | purge`."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import clock, open_companion, open_context, print_json

sessions_app = typer.Typer(help="List, show and delete ingested sessions.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")


@sessions_app.command("list")
def list_sessions(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every ingested session."""
    rows = open_context().catalog.list_sessions()
    if json_out:
        print_json([r.model_dump() for r in rows])
        return
    if not rows:
        typer.echo("no sessions yet: run `companion ingest PATH`")
    for r in rows:
        typer.echo(
            f"{r.id:45} {r.date or '':10} {r.kind or '':15} "
            f"{r.turns:4} turns {r.chunks:4} chunks  {r.title}"
        )


@sessions_app.command("show")
def show(session_id: str, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A session's metadata and turns."""
    session = open_context().catalog.load_session(session_id)
    if json_out:
        print_json(session)
        return
    typer.echo(f"{session.title}  ({session.id})")
    meta = [
        session.date,
        session.kind,
        session.series,
        f"facilitator: {session.facilitator}" if session.facilitator else None,
    ]
    typer.echo(" · ".join(m for m in meta if m))
    if not session.consent:
        typer.echo("participants did not consent to sharing: hidden from widget users")
    typer.echo(f"source: {session.source}\n")
    for t in session.turns:
        stamp = f"[{clock(t.start)}] " if t.start is not None else ""
        typer.echo(f"{t.index:4} {stamp}{t.speaker or '-'}: {t.text}")


@sessions_app.command("delete")
def delete(session_id: str) -> None:
    """Remove a session with all its chunks, vectors and derived data."""
    open_companion().pipeline().delete(session_id)
    typer.echo(f"deleted {session_id}")


@sessions_app.command("purge")
def purge(
    days: Annotated[
        int | None, typer.Option(help="age limit in days; default: COMPANION_RETENTION_DAYS")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list, delete nothing")] = False,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Delete sessions older than the retention period (by session date, else ingest time)."""
    from companion.core.errors import InputError
    from ingest.audit import cli_actor
    companion = open_companion()
    ctx = companion.ctx
    days = days if days is not None else ctx.settings.retention_days
    if days is None:
        raise InputError("give --days N or set COMPANION_RETENTION_DAYS")
    report = companion.privacy.purge(days, cli_actor(), dry_run=dry_run)
    if json_out:
        print_json(report)
        return
    verb = "would delete" if dry_run else "deleted"
    typer.echo(f"{verb} {len(report.deleted)} sessions older than {report.cutoff}")
    for session_id in report.deleted:
        typer.echo(f"  {session_id}")
