"""Opens the stores and providers once, lazily, from one `Settings`.

Everything heavy (torch, the model, chromadb) loads on first use, so commands that need none of
it (re-ingesting unchanged files, listing sessions) stay fast.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from companion.core.settings import Settings

if TYPE_CHECKING:
    from companion.core.grounding import GroundingVerifier
    from companion.core.memo import SessionMemo
    from companion.retrieval.hybrid import HybridRetriever
    from companion.storage.catalog import Catalog
    from companion.storage.embeddings import SentenceTransformerEmbeddings
    from companion.storage.vectors import VectorIndex


class Context:
    """The companion's stores and models for one process.

    Args:
        settings: where data lives and which providers to use.
        show_progress: show progress bars for long work (ingest).
        embeddings: an already loaded embedding model to use instead of loading one.
    """

    def __init__(
        self,
        settings: Settings,
        show_progress: bool = False,
        embeddings: SentenceTransformerEmbeddings | None = None,
    ) -> None:
        self.settings = settings
        self.show_progress = show_progress
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if embeddings is not None:  # share one loaded model (tests, API workers)
            self.__dict__["embeddings"] = embeddings

    @cached_property
    def catalog(self) -> Catalog:
        """The SQLite catalog."""
        from companion.storage.catalog import Catalog

        return Catalog(self.settings.catalog_path)

    @cached_property
    def install_secret(self) -> bytes:
        """The per-install secret keying stored hashes of names (created on first use)."""
        from companion.storage.secret import load_install_secret

        return load_install_secret(self.settings.secret_path)

    @cached_property
    def embeddings(self) -> SentenceTransformerEmbeddings:
        """The embedding model (loads on first encode)."""
        from companion.storage.embeddings import SentenceTransformerEmbeddings

        cfg = self.settings.embedding
        return SentenceTransformerEmbeddings(
            self.settings.resolved_model_path(),
            device=cfg.device,
            batch_size=cfg.batch_size,
            threads=cfg.threads,
            library_progress=self.settings.web.library_progress,
        )

    @cached_property
    def vectors(self) -> VectorIndex:
        """The Chroma collection of chunk vectors."""
        from companion.storage.vectors import VectorIndex, make_client

        cfg = self.settings.chroma
        client = make_client(cfg.url, self.settings.chroma_path)
        return VectorIndex(client, cfg.collection, self.embeddings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Dense + lexical retrieval over the stores."""
        from companion.retrieval.hybrid import HybridRetriever

        return HybridRetriever(self.catalog, self.vectors, self.embeddings, self.settings.retrieval)

    @cached_property
    def session_memo(self) -> SessionMemo:
        """What features compute from the session being ingested, shared between them."""
        from companion.core.memo import SessionMemo

        return SessionMemo()

    @cached_property
    def verifier(self) -> GroundingVerifier:
        """The one definition of grounded."""
        from companion.core.grounding import GroundingVerifier

        return GroundingVerifier(self.catalog)

    def close(self) -> None:
        """Release this thread's catalog connection."""
        if "catalog" in self.__dict__:
            self.catalog.close()
