"""The vector index: Chroma (embedded or server) behind `langchain_chroma.Chroma`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from companion.core.errors import ConfigurationError
from companion.core.schemas import Chunk
from companion.storage.catalog import Catalog


@dataclass(frozen=True)
class DenseHit:
    """A chunk id with its cosine similarity to the query."""

    chunk_id: str
    similarity: float


def chunk_metadata(
    chunk: Chunk, kind: str | None, date: str | None, consent: bool
) -> dict[str, Any]:
    """Metadata stored beside each vector, used for filtering inside Chroma."""
    return {
        "session_id": chunk.session_id,
        "kind": kind or "",
        "date": int(date.replace("-", "")) if date else 0,
        "consent": consent,
        "turn_start": chunk.turn_start,
        "turn_end": chunk.turn_end,
    }


def make_client(url: str | None, path: Path) -> Any:
    """A chromadb client: `HttpClient` when a server URL is set, else a `PersistentClient`."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if not parsed.hostname:
            raise ConfigurationError(f"COMPANION_CHROMA__URL is not a URL: {url!r}")
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=client_settings,
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=client_settings)


class VectorIndex:
    """Chunk vectors in one Chroma collection (cosine space).

    Writes go through `langchain_chroma.Chroma.add_texts`, which embeds with the configured
    LangChain `Embeddings`; queries take a precomputed query vector so one embedding serves
    dense search and answer scoring.
    """

    def __init__(self, client: Any, collection: str, embeddings: Embeddings) -> None:
        from langchain_chroma import Chroma

        if not 3 <= len(collection) <= 512:
            raise ConfigurationError("Chroma collection names need 3-512 characters")
        self.client = client
        self.name = collection
        self.store = Chroma(
            collection_name=collection,
            embedding_function=embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def add(self, chunks: Sequence[Chunk], metadatas: Sequence[dict[str, Any]]) -> list[Any]:
        """Embed and upsert chunks; returns their vectors as stored (for the catalog's copy).

        The vectors are read back: a cosine collection stores each one normalised in float32
        (within 1e-7 of what the model gave), and the copy must be what a Chroma `get` returns.
        """
        if not chunks:
            return []
        self.store.add_texts(
            [c.text for c in chunks], metadatas=list(metadatas), ids=[c.id for c in chunks]
        )
        stored = self.vectors_of([c.id for c in chunks])
        return [stored[c.id] for c in chunks]

    @property
    def collection(self) -> Any:
        """The chromadb collection (public client API), for what LangChain's wrapper lacks."""
        return self.client.get_collection(self.name)

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        """Refresh filter metadata (consent, kind, date) of vectors that keep their text."""
        collection = self.collection
        for i in range(0, len(ids), 500):
            collection.update(
                ids=list(ids[i : i + 500]), metadatas=list(metadatas[i : i + 500])
            )

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids already have vectors."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            got = self.store.get(ids=list(ids[i : i + 500]), include=[])
            found.update(got["ids"])
        return found

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Any]:
        """The stored vector of each of these ids that has one (id -> vector)."""
        found: dict[str, Any] = {}
        for i in range(0, len(ids), 500):
            got = self.store.get(ids=list(ids[i : i + 500]), include=["embeddings"])
            rows = got.get("embeddings")
            if rows is None:
                continue
            for cid, vector in zip(got["ids"], rows, strict=True):
                found[str(cid)] = vector
        return found

    def ids_for_session(self, session_id: str) -> set[str]:
        """Every vector id stored for a session."""
        got = self.store.get(where={"session_id": session_id}, include=[])
        return set(got["ids"])

    def delete(self, ids: Sequence[str]) -> None:
        """Remove vectors by id."""
        for i in range(0, len(ids), 500):
            self.store.delete(ids=list(ids[i : i + 500]))

    @cached_property
    def _query_collection(self) -> Any:
        # Looked up once: a name lookup per query would add a round trip to a Chroma server.
        return self.collection

    def search(
        self, vector: list[float], k: int, where: dict[str, Any] | None = None
    ) -> list[DenseHit]:
        """Nearest chunks to a query vector, best first.

        Asks Chroma for ids and distances only: texts and metadata come from the catalog, and
        fetching them for 100 candidates was most of the query time (bench/RESULTS.md).
        """
        queries: list[Sequence[float] | Sequence[int]] = [vector]
        got = self._query_collection.query(
            query_embeddings=queries, n_results=k, where=where, include=["distances"]
        )
        ids, dists = got["ids"][0], (got["distances"] or [[]])[0]
        return [DenseHit(str(i), 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        """Number of vectors."""
        return int(self.collection.count())

    def heartbeat(self) -> bool:
        """True when the store answers."""
        self.client.heartbeat()
        return True


def stored_vectors(catalog: Catalog, index: VectorIndex, ids: Sequence[str]) -> dict[str, Any]:
    """Each chunk's stored vector: the catalog's copy, or Chroma's for chunks without one."""
    found: dict[str, Any] = catalog.chunk_vectors(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(index.vectors_of(missing))
    return found
