"""What every command shares: settings, the context, output helpers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from pydantic import BaseModel

from companion.app import Companion
from companion.core.errors import InputError
from companion.core.settings import Settings
from companion.core.text import clock
from companion.retrieval.context import Context

__all__ = ["check_date", "clock", "open_companion", "open_context", "print_json"]


_opened: dict[str, Companion] = {}


def open_companion(show_progress: bool = False) -> Companion:
    """The composition root for this command, built once per settings from the environment.

    Keyed by the settings, so commands invoked in one process with different environments
    (tests, scripts) never share stores.
    """
    settings = Settings()
    key = settings.model_dump_json()
    if key not in _opened:
        _opened.clear()  # one companion at a time: its stores hold connections and a model
        # Long work shows progress: a bar on a terminal, plain lines on stderr when piped.
        _opened[key] = Companion(settings, show_progress=show_progress)
    return _opened[key]


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


def check_date(option: str, value: str | None) -> str | None:
    """A `YYYY-MM-DD` option value, checked (`2026-13-45` is refused, naming the option)."""
    if value is None:
        return None
    try:
        date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(f"{option}: expected a real date as YYYY-MM-DD, got '{value}'") from exc
    return value.strip()
