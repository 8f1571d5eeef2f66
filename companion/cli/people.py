"""`companion people load | list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from companion.cli import app
from companion.cli.common import open_context, print_json

people_app = typer.Typer(
    help="The people directory: who speaks in sessions and who may be suggested as a peer.",
    no_args_is_help=True,
)
app.add_typer(people_app, name="people")


@people_app.command("load")
def load(path: Annotated[Path, typer.Argument(help="a people.yaml file")]) -> None:
    """Add or update people (and their aliases) from a YAML file with a top-level `people:` list."""
    from companion.people import PeopleDirectory, load_people_file

    entries = load_people_file(path)
    report = PeopleDirectory(open_context().catalog).upsert(entries, source=str(path))
    opted_in = sum(e.person.recommendable for e in entries)
    typer.echo(
        f"{len(report.added)} added, {len(report.updated)} updated; "
        f"{opted_in} of {len(entries)} may be suggested as peers"
    )


@people_app.command("list")
def list_people(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Everyone in the directory."""
    from companion.people import PeopleDirectory

    people = PeopleDirectory(open_context().catalog).list()
    if json_out:
        print_json([p.model_dump() for p in people])
        return
    if not people:
        typer.echo("no people yet: run `companion people load people.yaml`")
    for p in people:
        flag = "suggestible" if p.recommendable else "opted out"
        typer.echo(f"{p.id:24} {p.name:24} {flag:12} {p.role or ''}")
