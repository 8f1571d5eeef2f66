"""Keeps cached summaries in step with ingest (`ingest.service` calls `make_listener`)."""

from __future__ import annotations

from collections.abc import Sequence

from companion.core.schemas import Chunk, Session
from companion.features.summaries.service import SummaryService
from companion.retrieval.context import Context


class SummariesListener:
    """Summarises each new or changed session; forgets removed ones."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._service: SummaryService | None = None

    @property
    def service(self) -> SummaryService:
        """The summary service (created on first use, so an unchanged ingest loads nothing)."""
        if self._service is None:
            self._service = SummaryService(self.ctx)
        return self._service

    def session_stored(self, session: Session, chunks: Sequence[Chunk]) -> None:
        """Summarise the session unless its content is unchanged since the cached summary."""
        if self.ctx.settings.summaries.on_ingest:
            self.service.ensure(session)

    def session_removed(self, session_id: str) -> None:
        """Delete the session's cached summary."""
        self.service.forget(session_id)


def make_listener(ctx: Context) -> SummariesListener:
    """The summaries feature's ingest listener."""
    return SummariesListener(ctx)
