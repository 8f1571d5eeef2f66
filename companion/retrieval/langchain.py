"""`CompanionRetriever`: the hybrid retrieval as a LangChain `BaseRetriever`.

Any LangChain chain can use the companion's sessions as a retriever:

    from companion import CompanionRetriever

    retriever = CompanionRetriever.from_data_dir(".companion/demo", k=5)
    docs = retriever.invoke("How should I structure a submission to a minister?")

It sees what a widget key sees: sessions whose participants consented to sharing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from companion.core.settings import Settings
from companion.retrieval.context import Context
from companion.retrieval.hybrid import HybridRetriever, RetrievedChunk, SearchFilters


def transcript_url(template: str, chunk: RetrievedChunk) -> str:
    """The link that opens the transcript at the chunk's first turn."""
    seconds = int(chunk.start) if chunk.start is not None else 0
    return template.format(session_id=chunk.session_id, seconds=seconds, turn=chunk.turn_start)


def to_document(chunk: RetrievedChunk, url: str) -> Document:
    """A retrieved chunk as a LangChain `Document` with its citation metadata."""
    return Document(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            "session_id": chunk.session_id,
            "session_title": chunk.session_title,
            "speakers": list(chunk.speakers),
            "start": chunk.start,
            "end": chunk.end,
            "turn_start": chunk.turn_start,
            "turn_end": chunk.turn_end,
            "url": url,
            "score": chunk.score,
        },
    )


class CompanionRetriever(BaseRetriever):
    """Dense + lexical retrieval over ingested sessions, returning cited `Document`s.

    Attributes:
        hybrid: the companion's hybrid retriever.
        k: how many passages to return.
        link_template: how citation urls are built (`{session_id}`, `{seconds}`, `{turn}`).
        include_private: also search sessions without sharing consent (admin use only).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any = Field(exclude=True)
    k: int = 5
    link_template: str = "/sessions/{session_id}#t={seconds}"
    include_private: bool = False

    @classmethod
    def from_data_dir(cls, path: str | Path, k: int = 5, **kwargs: Any) -> CompanionRetriever:
        """A retriever over the data dir `companion ingest` wrote (its settings otherwise)."""
        settings = Settings(data_dir=Path(path))
        ctx = Context(settings)
        hybrid = HybridRetriever(ctx.catalog, ctx.vectors, ctx.embeddings, settings.retrieval)
        return cls(hybrid=hybrid, k=k, **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        filters = SearchFilters(include_private=self.include_private)
        retrieval = self.hybrid.retrieve(query, filters, limit=max(self.k, 1))
        return [
            to_document(c, transcript_url(self.link_template, c))
            for c in retrieval.chunks[: self.k]
        ]
