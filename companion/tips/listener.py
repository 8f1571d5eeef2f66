"""Keeps the tip registry in step with ingest (`ingest.service` calls `make_listener`)."""

from __future__ import annotations

from collections.abc import Sequence

from companion.context import Context
from companion.schemas import Chunk, Session
from companion.tips.registry import TipRegistry


class TipsListener:
    """Updates the registry for each stored or removed session, one session at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._registry: TipRegistry | None = None

    @property
    def registry(self) -> TipRegistry:
        """The registry (its tables are created on first use)."""
        if self._registry is None:
            self._registry = TipRegistry(self.ctx)
        return self._registry

    def session_stored(self, session: Session, chunks: Sequence[Chunk]) -> None:
        """Replace the session's advice quotes in the registry."""
        self.registry.update_session(session)

    def session_removed(self, session_id: str) -> None:
        """Remove the session's quotes; tips left with none disappear."""
        self.registry.remove_session(session_id)


def make_listener(ctx: Context) -> TipsListener:
    """The tips feature's ingest listener."""
    return TipsListener(ctx)
