"""The tips feature as the composition root wires it."""

from __future__ import annotations

from companion.core.feature import Feature, Migration
from companion.features.tips.listener import TipsListener
from companion.features.tips.models import OutcomesProvider
from companion.features.tips.privacy import forget_in_tips, tip_quote_count
from companion.features.tips.registry import TipRegistry
from companion.features.tips.store import SCHEMA
from companion.features.tips.views import TipViews
from companion.retrieval.context import Context

MIGRATIONS = (Migration("tips", 1, SCHEMA),)

class TipService:
    """Top tips: the views readers see and the registry facilitators review and rebuild."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.views = TipViews(ctx)
        self._registry: TipRegistry | None = None

    def use_outcomes(self, provider: OutcomesProvider) -> None:
        """Show (and, when weighted, rank by) what learners who tried each tip reported.

        The composition root passes the learning loop's service here; tips never read its
        tables.
        """
        self.views.outcomes = provider

    @property
    def registry(self) -> TipRegistry:
        """The registry (its model work loads on first use)."""
        if self._registry is None:
            self._registry = TipRegistry(self.ctx)
        return self._registry


def build(ctx: Context) -> Feature:
    """The tips feature: registry listener, forget hooks, tables."""
    return Feature(
        name="tips",
        service=TipService(ctx),
        listener=TipsListener(ctx),
        tables=("tips", "tip_quotes", "tip_links", "tip_history", "tip_wordings"),
        forget=lambda person, traces, sessions: forget_in_tips(ctx, person, traces, sessions),
        count=lambda session_id: tip_quote_count(ctx, session_id),
    )
