"""The `Summariser` plug point and the registry that picks one from settings.

`extractive` (the default) needs no LLM. An abstractive summariser registers here under an LLM
provider name: it sends `summary_messages(session)` (`prompts/summary.md` with the session's
numbered passages, `companion.summaries.passages`) to `companion.llm.registry.make_chat_model`,
parses the JSON items, maps each `{"passage", "quote"}` to an `Evidence` with `citation_for`,
and returns a `Summary`; the service verifies every citation and drops and counts the items
that fail, exactly as for the extractive summariser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from companion.schemas import Session
from companion.summaries.models import Summary

if TYPE_CHECKING:
    from companion.context import Context


class Summariser(Protocol):
    """Turns one session into a cited `Summary`."""

    name: str
    version: str

    def summarise(self, session: Session) -> Summary:
        """The session's summary; every item cites verbatim quotes of its turns."""
        ...


def _extractive(ctx: Context) -> Summariser:
    from companion.summaries.chunk_vectors import stored_chunk_vectors
    from companion.summaries.extractive import ExtractiveSummariser

    # Salience reads the chunk vectors ingest stored in Chroma: nothing is embedded again.
    return ExtractiveSummariser(ctx.embeddings, ctx.settings,
                                lambda session: stored_chunk_vectors(ctx, session.id))


# LLM provider name -> factory. Abstractive summarisers register here by provider name.
SUMMARISERS: dict[str, Callable[[Context], Summariser]] = {"extractive": _extractive}


def make_summariser(ctx: Context) -> tuple[Summariser, str | None]:
    """The summariser for the configured LLM provider, and a notice when it falls back."""
    provider = ctx.settings.llm.provider
    factory = SUMMARISERS.get(provider)
    if factory is not None:
        return factory(ctx), None
    notice = (f"no abstractive summariser for LLM provider '{provider}' yet; "
              "this is the extractive summary")
    return _extractive(ctx), notice
