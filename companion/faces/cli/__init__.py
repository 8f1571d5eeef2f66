"""The `companion` command: thin commands over the same services the API uses."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from companion.core.errors import CompanionError

app = typer.Typer(
    help="Learning companion: keep what colleagues said in sessions, and find it again.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        try:
            number = version("learning-companion")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown (not installed)"
        typer.echo(f"companion {number}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True,
                           help="print the version and exit")
    ] = False,
) -> None:
    """Learning companion: keep what colleagues said in sessions, and find it again."""


def _register() -> None:
    # Each module adds its commands to `app`; importing them is cheap (heavy imports are lazy).
    from companion.faces.cli import (  # noqa: F401
        ask,
        evaluate,
        impact,
        ingest_cmd,
        insights,
        keys,
        peers,
        people,
        privacy,
        serve,
        sessions,
        state,
        summarise,
        tips,
    )


def main() -> None:
    """Entry point: user errors print one line and exit 1, never a traceback."""
    _register()
    try:
        app()
    except CompanionError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
