"""Builds the ingest pipeline with every feature that keeps derived data in step."""

from __future__ import annotations

from companion.context import Context
from ingest.pipeline import IngestPipeline, SessionListener


def session_listeners(ctx: Context) -> list[SessionListener]:
    """Features to tell about stored and removed sessions (tips, summaries, ...)."""
    listeners: list[SessionListener] = []
    return listeners


def build_pipeline(ctx: Context) -> IngestPipeline:
    """The pipeline the CLI, the API and the tests use."""
    return IngestPipeline(ctx, session_listeners(ctx))
