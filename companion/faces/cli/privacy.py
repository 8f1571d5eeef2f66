"""`companion audit`: who did what to which data, and when."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_context, print_json


@app.command("audit")
def audit(
    limit: Annotated[int, typer.Option(help="newest entries shown", min=1)] = 50,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The audit log, newest first: ingests, deletes, forgets, purges, exports and imports."""
    from ingest.audit import AuditLog

    entries = AuditLog(open_context().catalog).entries(limit)
    if json_out:
        print_json([e.model_dump() for e in entries])
        return
    if not entries:
        typer.echo("the audit log is empty")
    for e in entries:
        typer.echo(f"{e.at}  {e.actor:24} {e.action:18} {e.target}")
