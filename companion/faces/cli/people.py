"""`companion people load | list | forget`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json

people_app = typer.Typer(
    help="The people directory: who speaks in sessions and who may be suggested as a peer.",
    no_args_is_help=True,
)
app.add_typer(people_app, name="people")


@people_app.command("load")
def load(path: Annotated[Path, typer.Argument(help="a people.yaml file")]) -> None:
    """Add or update people (and their aliases) from a YAML file with a top-level `people:` list."""
    from companion.features.people import load_people_file

    entries = load_people_file(path)
    report = open_companion().people.upsert(entries, source=str(path))
    opted_in = sum(e.person.recommendable for e in entries)
    typer.echo(
        f"{len(report.added)} added, {len(report.updated)} updated; "
        f"{opted_in} of {len(entries)} may be suggested as peers"
    )


@people_app.command("list")
def list_people(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Everyone in the directory."""
    people = open_companion().people.list()
    if json_out:
        print_json([p.model_dump() for p in people])
        return
    if not people:
        typer.echo("no people yet: run `companion people load people.yaml`")
    for p in people:
        flag = "suggestible" if p.recommendable else "opted out"
        typer.echo(f"{p.id:24} {p.name:24} {flag:12} {p.role or ''}")


@people_app.command("forget")
def forget(
    person_id: Annotated[str, typer.Argument(help="the person's id in the directory")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Remove a person and redact everything they said, everywhere; cannot be undone."""
    from ingest.audit import cli_actor
    if not yes:
        typer.confirm(
            f"Redact every turn of '{person_id}' in every session and remove them from the "
            "directory? This cannot be undone", abort=True,
        )
    report = open_companion().privacy.forget(person_id, cli_actor())
    if json_out:
        print_json(report)
        return
    typer.echo(
        f"forgot {report.person_id}: {report.turns_redacted} turns redacted in "
        f"{len(report.sessions)} sessions, {report.vectors_removed} vectors removed, "
        f"{report.tip_quotes_removed} tip quotes removed, {report.summaries_refreshed} "
        f"summaries regenerated"
    )
