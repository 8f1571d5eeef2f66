"""What every command shares: settings, the context, output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from pydantic import BaseModel

from companion.app import Companion
from companion.core.settings import Settings
from companion.core.text import clock
from companion.retrieval.context import Context

__all__ = ["clock", "open_companion", "open_context", "print_json"]


_companion: Companion | None = None


def open_companion(show_progress: bool = False) -> Companion:
    """The composition root for this command, built once from the environment's settings."""
    global _companion
    if _companion is None:
        _companion = Companion(Settings(), show_progress=show_progress and sys.stderr.isatty())
    return _companion


def open_context(show_progress: bool = False) -> Context:
    """The stores of this command's companion."""
    return open_companion(show_progress).ctx


def print_json(value: Any) -> None:
    """Print a model, a list of models or plain data as JSON on one line."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json())
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        typer.echo(json.dumps([v.model_dump(mode="json") for v in value], ensure_ascii=False))
    else:
        typer.echo(json.dumps(value, ensure_ascii=False))


