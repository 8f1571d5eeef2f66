"""The summary's tips: advice sentences from the tips feature's extractor, most salient first.

`companion.features.tips.extraction.extract_candidates` finds advice in one session
(imperatives, advice phrases, items of a "Top tips" list). Where that feature is not
installed, a light pattern
stands in: sentences with "make sure", "my tip", "you should", "always", "never", "don't".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.core.schemas import Session
from companion.core.settings import Settings
from companion.features.summaries.sentences import session_sentences

if TYPE_CHECKING:
    from companion.retrieval.context import Context

Embed = Callable[[list[str]], Any]  # texts -> normalised embedding rows

_ADVICE = re.compile(
    r"\b(?:make sure|my (?:top |one |best )?(?:tip|advice)|top tip|you (?:should|must|need to)|"
    r"always|never|don't|do not|i'd (?:recommend|suggest))\b",
    re.I,
)


@dataclass(frozen=True)
class AdviceQuote:
    """An advice quote: a substring of one turn."""

    turn: int
    quote: str


def advice_quotes(
    session: Session, settings: Settings, embed: Callable[[list[str]], Any] | None = None
) -> list[AdviceQuote]:
    """Advice quotes of one session, in session order.

    Args:
        session: the parsed session.
        settings: the `tips` settings are used.
        embed: texts -> normalised embedding rows, for the tips feature's advice detector.
    """
    try:
        from companion.features.tips.extraction import extract_candidates
    except ModuleNotFoundError as exc:
        if exc.name and not "companion.features.tips.extraction".startswith(exc.name):
            raise
        return _pattern_quotes(session)
    return [AdviceQuote(c.turn, c.quote) for c in extract_candidates(session, settings.tips, embed)]


def shared_advice(ctx: Context, session: Session) -> tuple[list[AdviceQuote], Embed]:
    """The session's advice quotes from the analysis the tips listener already made, if any.

    Returns the quotes and an embedder that remembers every sentence that analysis embedded, so
    during ingest the session's advice sentences are encoded once for both features.
    """
    try:
        from companion.features.tips.analysis import shared_analysis
    except ModuleNotFoundError as exc:
        if exc.name and not "companion.features.tips.analysis".startswith(exc.name):
            raise
        return _pattern_quotes(session), ctx.embeddings.embed_many
    analysis = shared_analysis(ctx, session)
    return [AdviceQuote(c.turn, c.quote) for c in analysis.candidates], analysis.embed


def _pattern_quotes(session: Session) -> list[AdviceQuote]:
    return [
        AdviceQuote(s.turn.index, s.text)
        for s in session_sentences(session)
        if not s.is_question and 5 <= len(s.text.split()) <= 50 and _ADVICE.search(s.text)
    ]
