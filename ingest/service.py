"""Builds the ingest pipeline with every feature that keeps derived data in step."""

from __future__ import annotations

import importlib

from companion.context import Context
from ingest.pipeline import IngestPipeline, SessionListener

# Features that keep derived data (tips, cached summaries) in step with sessions. Each module
# exposes `make_listener(ctx) -> SessionListener`; a feature not present is simply absent.
LISTENER_MODULES = ("companion.tips.listener", "companion.summaries.listener")


def session_listeners(ctx: Context) -> list[SessionListener]:
    """The listeners of every feature that is installed."""
    listeners: list[SessionListener] = []
    for name in LISTENER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        listeners.append(module.make_listener(ctx))
    return listeners


def build_pipeline(ctx: Context) -> IngestPipeline:
    """The pipeline the CLI, the API and the tests use."""
    return IngestPipeline(ctx, session_listeners(ctx))
