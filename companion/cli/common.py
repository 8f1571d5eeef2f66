"""What every command shares: settings, the context, output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from pydantic import BaseModel

from companion.context import Context
from companion.settings import Settings


def open_context(show_progress: bool = False) -> Context:
    """A context from the environment's settings."""
    return Context(Settings(), show_progress=show_progress and sys.stderr.isatty())


def print_json(value: Any) -> None:
    """Print a model, a list of models or plain data as JSON on one line."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json())
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        typer.echo(json.dumps([v.model_dump(mode="json") for v in value], ensure_ascii=False))
    else:
        typer.echo(json.dumps(value, ensure_ascii=False))


def clock(seconds: float | None) -> str:
    """Seconds as m:ss or h:mm:ss; empty when unknown."""
    if seconds is None:
        return ""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
