"""Hybrid retrieval: Chroma (dense) and FTS5 BM25 (lexical), fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import InitVar, dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel

from companion.core.settings import RetrievalSettings
from companion.core.terms import fts_query
from companion.retrieval.adapter import adapt, load_adapter
from companion.retrieval.focus import focus
from companion.retrieval.fusion import (
    ADAPTED_WEIGHTS_FILE,
    WEIGHTS_FILE,
    diversify,
    features,
    load_model,
)
from companion.storage.catalog import Catalog, MatchScores
from companion.storage.embeddings import SentenceTransformerEmbeddings
from companion.storage.vectors import VectorIndex, stored_vectors

Mode = Literal["hybrid", "dense", "lexical"]
_T = TypeVar("_T")
# One helper thread for the SQLite legs of a question (its own catalog connection): they
# overlap with embedding and Chroma, which release the GIL while they compute.
_BESIDE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retrieval-sqlite")


class SearchFilters(BaseModel):
    """Restrict retrieval to some sessions; private (no-consent) sessions are out by default."""

    kind: str | None = None
    since: str | None = None
    until: str | None = None
    speaker: str | None = None
    session_id: str | None = None
    include_private: bool = False


@dataclass
class RetrievedChunk:
    """A chunk joined with its session, with its scores."""

    id: str
    session_id: str
    session_title: str
    text: str
    speakers: list[str]
    turn_start: int
    turn_end: int
    start: float | None
    end: float | None
    similarity: float | None = None
    lexical_rank: int | None = None
    score: float = 0.0
    dense_rank: int | None = None
    lexical_score: float | None = None  # BM25, higher is better (0: no question term)
    ordinal: int = 0
    probability: float | None = None  # learned fusion: P(the chunk holds the evidence)


@dataclass
class Retrieval:
    """What retrieval found for one question.

    `query_vector` is the question as asked, embedded (None in lexical mode). When the dense
    search embedded only the question's topic (`focus_query`), the question itself is embedded
    on first read: answers never read it, peers do, so an ask pays for one query encode.
    """

    question: str
    chunks: list[RetrievedChunk]
    best_similarity: float
    vector: InitVar[list[float] | None] = None
    embed_question: Callable[[], list[float]] | None = field(
        default=None, repr=False, compare=False
    )
    _vector: list[float] | None = field(init=False, default=None, repr=False)

    def __post_init__(self, vector: list[float] | None) -> None:
        self._vector = vector

    @property
    def query_vector(self) -> list[float] | None:
        """The question as asked, embedded (on first read when only its topic was)."""
        if self._vector is None and self.embed_question is not None:
            self._vector = self.embed_question()
            self.embed_question = None
        return self._vector


def _date_int(value: str) -> int:
    return int(value.replace("-", "")[:8].ljust(8, "0"))


class HybridRetriever:
    """Retrieves chunks for a question from both indexes and fuses them.

    Args:
        catalog: source of truth for chunks (dense hits are joined back to it).
        vectors: the Chroma index.
        embeddings: embeds the question.
        settings: k values and the RRF constant.
    """

    def __init__(
        self,
        catalog: Catalog,
        vectors: VectorIndex,
        embeddings: SentenceTransformerEmbeddings,
        settings: RetrievalSettings,
    ) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.embeddings = embeddings
        self.settings = settings

    def retrieve(
        self,
        question: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        mode: Mode = "hybrid",
    ) -> Retrieval:
        """Best chunks for the question, fused score first.

        In hybrid mode with `fusion="learned"` (and shipped weights), each chunk's score is the
        fusion model's probability that it holds the evidence (also in `probability`); with the
        `diversify` setting above 0 the first places are diversified (`fusion.diversify`): a
        chunk next to a better one of the same session gives way to another moment.
        """
        chunks, vector = self.candidates(question, filters, mode)
        asked = None
        if vector is None and mode in ("hybrid", "dense"):  # only the topic was embedded
            asked = partial(self.embeddings.embed_query, question)
        weights = ADAPTED_WEIGHTS_FILE if self.settings.query_adapter else WEIGHTS_FILE
        model = load_model(weights) if self._learned(mode) else None
        if model is not None and chunks:
            logits = model.logits(features(question, chunks))
            for c, z in zip(chunks, logits, strict=True):
                c.probability = float(1.0 / (1.0 + np.exp(-z)))
                c.score = c.probability
            chunks = [chunks[i] for i in diversify(chunks, logits, self.settings.diversify)]
        else:
            chunks.sort(key=lambda c: -c.score)
        best = max((c.similarity for c in chunks if c.similarity is not None), default=0.0)
        return Retrieval(question, chunks[:limit], best, vector, embed_question=asked)

    def _learned(self, mode: Mode) -> bool:
        return mode == "hybrid" and self.settings.fusion == "learned"

    def candidates(
        self, question: str, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> tuple[list[RetrievedChunk], list[float] | None]:
        """Every candidate of both indexes (scored by RRF), and the question's vector.

        The dense leg searches with the question's vector (of its topic alone, `focus`, when
        `focus_query` is on), mapped by the query adapter (when `query_adapter` is on and
        shipped); chunk cosines are to that vector. The vector returned is the question as
        embedded, or None when only its topic was (or in lexical mode). For learned fusion every
        candidate gets both signals (`_complete`).
        """
        filters = filters or SearchFilters()
        ranks: dict[str, dict[str, Any]] = {}
        vector: list[float] | None = None
        searched: list[float] | None = None
        # The lexical leg (SQLite) runs beside embedding + Chroma: neither needs the other. For
        # learned fusion it also scores every match, so `_complete` finds the BM25 of dense-only
        # hits there instead of probing the index again after the dense search.
        lexical = (
            self._beside(self._lexical_leg, question, filters, self._learned(mode))
            if mode == "hybrid"
            else None
        )
        every_match: MatchScores | None = None
        if mode in ("hybrid", "dense"):
            topic = focus(question) if self.settings.focus_query else question
            searched = self.embeddings.embed_query(topic)
            vector = searched if topic == question else None
            if self.settings.query_adapter:
                searched = adapt(searched, load_adapter())
            hits = self.vectors.search(searched, self.settings.dense_k, self._chroma_where(filters))
            for rank, hit in enumerate(hits):
                ranks.setdefault(hit.chunk_id, {})["dense"] = (rank, hit.similarity)
        if mode in ("hybrid", "lexical"):
            if lexical:
                found, every_match = lexical.result()
            else:
                found = self._lexical(question, filters)
            for rank, (chunk_id, score) in enumerate(found):
                ranks.setdefault(chunk_id, {})["lexical"] = (rank, -score)
        rows = self.catalog.chunks_by_id(ranks)
        chunks: list[RetrievedChunk] = []
        rowids: dict[str, int] = {}
        for chunk_id, r in ranks.items():
            row = rows.get(chunk_id)
            if row is None or not self._passes(row, filters):
                continue  # a vector whose catalog row is gone (or not yet written)
            rowids[chunk_id] = row["rowid"]
            dense = r.get("dense")
            lexical = r.get("lexical")
            k = self.settings.rrf_k
            score = (1.0 / (k + dense[0] + 1) if dense else 0.0) + (
                self.settings.lexical_weight / (k + lexical[0] + 1) if lexical else 0.0
            )
            chunks.append(
                RetrievedChunk(
                    id=chunk_id,
                    session_id=row["session_id"],
                    session_title=row["session_title"],
                    text=row["text"],
                    speakers=[s for s in row["speakers"].split("|") if s],
                    turn_start=row["turn_start"],
                    turn_end=row["turn_end"],
                    start=row["start"],
                    end=row["end"],
                    similarity=dense[1] if dense else None,
                    lexical_rank=lexical[0] if lexical else None,
                    score=score,
                    dense_rank=dense[0] if dense else None,
                    lexical_score=lexical[1] if lexical else None,
                    ordinal=row["ordinal"],
                )
            )
        if self._learned(mode) and chunks and searched is not None:
            self._complete(question, searched, chunks, rowids, every_match)
        return chunks, vector

    def _complete(
        self,
        question: str,
        vector: list[float],
        chunks: list[RetrievedChunk],
        rowids: dict[str, int],
        every_match: MatchScores | None,
    ) -> None:
        """Give every candidate both signals: cosine for lexical-only, BM25 for dense-only hits.

        The BM25 comes from `every_match` (the lexical leg's scores of every match, by rowid)
        when the leg could score them all, else from probing the index at these chunks.
        """
        no_lex = [c for c in chunks if c.lexical_score is None]
        match = fts_query(question)
        scores: Future[dict[str, float]] | None = None  # beside the vector lookup
        if no_lex and match and every_match is not None:
            scores = Future()
            scores.set_result(every_match.of({c.id: rowids[c.id] for c in no_lex}))
        elif no_lex and match:
            scores = self._beside(self.catalog.lexical_scores, match, [c.id for c in no_lex])
        no_dense = [c for c in chunks if c.similarity is None]
        if no_dense:
            stored = stored_vectors(self.catalog, self.vectors, [c.id for c in no_dense])
            q = np.asarray(vector, dtype=np.float32)
            sims = {cid: float(np.asarray(e, dtype=np.float32) @ q) for cid, e in stored.items()}
            for c in no_dense:
                c.similarity = sims.get(c.id)
        if scores is not None:
            found = scores.result()
            for c in no_lex:
                c.lexical_score = -found[c.id] if c.id in found else 0.0

    def _beside(self, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        """Run a catalog read on the helper thread while the caller does other work.

        Inside an open transaction the read runs here, in the caller's connection, so it sees
        the caller's own uncommitted rows (another thread's connection would not).
        """
        if self.catalog.conn.in_transaction:
            done: Future[_T] = Future()
            done.set_result(fn(*args))
            return done
        return _BESIDE.submit(fn, *args)

    def _lexical_leg(
        self, question: str, filters: SearchFilters, every: bool
    ) -> tuple[list[tuple[str, float]], MatchScores | None]:
        """The lexical search and, when `every`, the BM25 of every match (by rowid)."""
        match = fts_query(question)
        if not match:
            return [], None
        clause, params = self._lexical_where(filters)
        if every:
            return self.catalog.search_lexical_scored(
                match, self.settings.lexical_k, clause, params
            )
        return self.catalog.search_lexical(match, self.settings.lexical_k, clause, params), None

    def _lexical(self, question: str, filters: SearchFilters) -> list[tuple[str, float]]:
        return self._lexical_leg(question, filters, every=False)[0]

    @staticmethod
    def _lexical_where(filters: SearchFilters) -> tuple[str, list[Any]]:
        """The SQL the lexical leg adds to keep to the filters (chunk `c`, session `s`)."""
        where: list[str] = []
        params: list[Any] = []
        if not filters.include_private:
            where.append("s.consent = 1")
        if filters.kind:
            where.append("s.kind = ?")
            params.append(filters.kind)
        if filters.since:
            where.append("s.date >= ?")
            params.append(filters.since)
        if filters.until:
            where.append("s.date <= ?")
            params.append(filters.until)
        if filters.session_id:
            where.append("s.id = ?")
            params.append(filters.session_id)
        return "".join(f" AND {w}" for w in where), params

    @staticmethod
    def _chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
        # Consent is enforced on the catalog join (`_passes`), the source of truth: as a Chroma
        # `where` it made every query a filtered one, ~45 ms of a ~50 ms query at 10k chunks.
        conds: list[dict[str, Any]] = []
        if filters.kind:
            conds.append({"kind": filters.kind})
        if filters.since:
            conds.append({"date": {"$gte": _date_int(filters.since)}})
        if filters.until:
            conds.append({"date": {"$lte": _date_int(filters.until)}})
        if filters.session_id:
            conds.append({"session_id": filters.session_id})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    @staticmethod
    def _passes(row: Any, filters: SearchFilters) -> bool:
        if not filters.include_private and not row["consent"]:
            return False
        if filters.speaker:
            wanted = filters.speaker.casefold()
            if not any(wanted in s.casefold() for s in row["speakers"].split("|")):
                return False
        return True
