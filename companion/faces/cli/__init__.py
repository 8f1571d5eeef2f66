"""The `companion` command: thin commands over the same services the API uses."""

from __future__ import annotations

import sys

import typer

from companion.core.errors import CompanionError

app = typer.Typer(
    help="Learning companion: keep what colleagues said in sessions, and find it again.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Each module adds its commands to `app`; importing them is cheap (heavy imports are lazy).
    from companion.faces.cli import (  # noqa: F401
        ask,
        evaluate,
        ingest_cmd,
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
