"""The `Summariser` plug point and the registry that picks one from settings.

`summaries.generator` chooses: `extractive` (needs no LLM), `llm` (the abstractive summariser
through the configured LangChain chat model, `companion.features.summaries.abstractive`), or
`auto` (the default: `llm` when `llm.provider` names a chat model, else `extractive`). The
abstractive summariser sends `prompts/summary.md` with the session's numbered passages, verifies
every item against the turns it cites and falls back to the extractive item when one is
unsupported; the service then verifies every citation again, exactly as for the extractive
summariser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from companion.core.schemas import Session
from companion.features.summaries.models import Summary

if TYPE_CHECKING:
    from companion.retrieval.context import Context


class Summariser(Protocol):
    """Turns one session into a cited `Summary`."""

    name: str
    version: str

    def summarise(self, session: Session) -> Summary:
        """The session's summary; every item cites verbatim quotes of its turns."""
        ...


def _extractive(ctx: Context) -> Summariser:
    from companion.features.summaries.chunk_vectors import stored_chunk_vectors
    from companion.features.summaries.extractive import ExtractiveSummariser
    from companion.features.summaries.tips import shared_advice

    # Salience reads the chunk vectors ingest stored in Chroma, and the tips read the advice
    # analysis the tips listener made of the same session: nothing is embedded again.
    return ExtractiveSummariser(ctx.embeddings, ctx.settings,
                                lambda session: stored_chunk_vectors(ctx, session.id),
                                advice=lambda session: shared_advice(ctx, session))


def _abstractive(ctx: Context) -> Summariser:
    from companion.core.grounding import GroundingVerifier
    from companion.features.summaries.abstractive import AbstractiveSummariser
    from companion.llm.client import ChatClient
    from companion.llm.registry import make_chat_model

    cfg = ctx.settings.llm
    verifier = GroundingVerifier(ctx.catalog, embeddings=ctx.embeddings,
                                 min_term_recall=cfg.min_term_recall,
                                 min_similarity=cfg.min_similarity)
    generator = f"{cfg.provider}:{cfg.model or cfg.model_path or 'default'}"
    try:
        client = ChatClient(make_chat_model(ctx.settings), cfg)
    except Exception as exc:  # a missing extra, key or model name: say so on each summary
        notice = f"the '{cfg.provider}' chat model is unavailable ({exc}); " \
                 "this is the extractive summary"
        return AbstractiveSummariser(None, verifier, _extractive(ctx), generator, notice)
    return AbstractiveSummariser(client.invoke_text, verifier, _extractive(ctx), generator)


# `summaries.generator` -> factory.
SUMMARISERS: dict[str, Callable[[Context], Summariser]] = {
    "extractive": _extractive, "llm": _abstractive,
}


def make_summariser(ctx: Context) -> tuple[Summariser, str | None]:
    """The summariser `summaries.generator` chooses, and a notice when it falls back."""
    choice = ctx.settings.summaries.generator
    if choice == "auto":
        choice = "extractive" if ctx.settings.llm.provider == "extractive" else "llm"
    factory = SUMMARISERS.get(choice)
    if factory is not None:
        return factory(ctx), None
    notice = f"no summariser called '{choice}'; this is the extractive summary"
    return _extractive(ctx), notice
