"""Keeps the tip registry in step with ingest (`ingest.service` calls `make_listener`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from companion.core.errors import ConfigurationError
from companion.core.schemas import REFLECTION_KIND, Chunk, Session
from companion.features.tips.registry import TipRegistry
from companion.retrieval.context import Context

if TYPE_CHECKING:
    from companion.features.tips.wording import TipWorder

log = logging.getLogger("companion.features.tips")


class TipsListener:
    """Updates the registry for each stored or removed session, one session at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._registry: TipRegistry | None = None
        self._worder: TipWorder | None = None

    @property
    def registry(self) -> TipRegistry:
        """The registry (its tables are created on first use)."""
        if self._registry is None:
            self._registry = TipRegistry(self.ctx)
        return self._registry

    def session_stored(self, session: Session, chunks: Sequence[Chunk]) -> None:
        """Replace the session's advice quotes in the registry (and word its tips, if set).

        A learner's reflection is evidence on a tip, not advice given in a session: skipped.
        """
        if session.kind == REFLECTION_KIND:
            return
        self.registry.update_session(session)
        if self.ctx.settings.tips.llm_wording_on_ingest:
            self._word_tips_of(session.id)

    def _word_tips_of(self, session_id: str) -> None:
        """Word the tips the session gives; wording is optional, so problems only warn."""
        from companion.features.tips.wording import make_tip_worder, reword_tips

        try:
            if self._worder is None:  # one model for the whole ingest run
                self._worder = make_tip_worder(self.ctx)
        except ConfigurationError as exc:
            log.warning("tips.llm_wording_on_ingest is on, but: %s", exc.detail)
            return
        tip_ids = [q.tip_id for q in self.registry.store.quotes() if q.session_id == session_id]
        report = reword_tips(self.ctx, tip_ids, self._worder)
        log.info("worded the tips of %s: %d kept, %d dropped, %d failed", session_id,
                 report.count("kept"), report.count("dropped"), report.count("failed"))

    def session_removed(self, session_id: str) -> None:
        """Remove the session's quotes; tips left with none disappear."""
        self.registry.remove_session(session_id)


def make_listener(ctx: Context) -> TipsListener:
    """The tips feature's ingest listener."""
    return TipsListener(ctx)
