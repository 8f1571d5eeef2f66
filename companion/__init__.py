"""Learning companion: keep what colleagues said in peer-learning sessions, and find it again.

`CompanionRetriever` is the sessions as a LangChain retriever; `Companion` (in `companion.app`)
is the composition root that builds every service once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from companion.app import Companion
    from companion.retrieval.langchain import CompanionRetriever

__all__ = ["Companion", "CompanionRetriever"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import companion` stays cheap for the CLI's quick commands.
    if name == "CompanionRetriever":
        from companion.retrieval.langchain import CompanionRetriever

        return CompanionRetriever
    if name == "Companion":
        from companion.app import Companion

        return Companion
    raise AttributeError(name)
