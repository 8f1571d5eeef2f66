"""`companion peers TOPIC`."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.core.contact import mailto_link
from companion.faces.cli import app
from companion.faces.cli.common import clock, open_companion, print_json
from companion.features.peers.models import PeerResult


def render(result: PeerResult) -> str:
    """Suggestions as a person reads them: who, why, and what they said."""
    if not result.suggestions:
        return result.message or "Nobody to suggest."
    lines: list[str] = []
    for i, s in enumerate(result.suggestions, 1):
        about = " · ".join(x for x in (s.role, s.team) if x)
        lines.append(f"{i}. {s.name}" + (f" — {about}" if about else ""))
        lines.append(f"   {s.reason}")
        if s.contact:
            lines.append(f"   {mailto_link(s.contact) or s.contact}")
        for e in s.evidence:
            when = f" at {clock(e.start)}" if e.start is not None else ""
            lines.append(f"   “{e.quote}” — {e.speaker or 'notes'}, {e.session_id}{when}")
        lines.append("")
    return "\n".join(lines).rstrip()


@app.command()
def peers(
    topic: Annotated[str, typer.Argument(help="what you want to learn about")],
    shadow: Annotated[
        bool, typer.Option("--shadow", help="favour people who described doing the work")
    ] = False,
    exclude: Annotated[
        str | None, typer.Option("--exclude", help="your person id or alias (never suggested)")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="how many people (default 3)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Who to talk to (or shadow) about a topic, from what people said in sessions."""
    result = open_companion().peers.recommend(
        topic, shadow=shadow, exclude=exclude, limit=limit
    )
    if json_out:
        print_json([s.model_dump(mode="json") for s in result.suggestions])
    else:
        typer.echo(render(result))
