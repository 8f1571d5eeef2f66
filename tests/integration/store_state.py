"""What the stores hold, read from outside a run, and what each version of a file should give.

Shared by the crash-safety and concurrency tests: a snapshot of the catalog, Chroma and the
derived data (tips, summaries) of one data directory, and the expected result of parsing and
chunking each version of the input files.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.core.settings import ChromaSettings, Settings
from companion.features.tips.actions import SECOND_CHANCE
from companion.features.tips.registry import session_advice
from companion.retrieval.context import Context
from companion.retrieval.hybrid import SearchFilters
from companion.storage.embeddings import SentenceTransformerEmbeddings
from ingest.chunking import Chunker, tokenizer_counter
from ingest.parsers import discover, load_session


@dataclass(frozen=True)
class Version:
    """One version of one session, as the parser and the chunker make it."""

    session_id: str
    content_hash: str
    chunk_ids: frozenset[str]
    turns: tuple[str, ...]
    quote_hashes: frozenset[str]
    # Sentences just under the detector's threshold: kept only when they join a tip another
    # session gave (`tips/placement.py`), so they may or may not be stored.
    maybe_hashes: frozenset[str] = frozenset()


def expected_versions(folder: Path) -> dict[str, Version]:
    """Every session in a folder of files, parsed and chunked as ingest would."""
    settings = Settings()
    chunker = Chunker(
        tokenizer_counter(settings.resolved_model_path()), settings.chunking.max_tokens
    )
    # The quotes the tips registry keeps: advice the detector finds, housekeeping dropped.
    embed = SentenceTransformerEmbeddings(settings.resolved_model_path()).embed_many
    files, errors = discover([folder])
    assert not errors, errors
    out: dict[str, Version] = {}
    for path in files:
        session = load_session(path)
        advice = session_advice(session, settings.tips, embed)[0]
        out[session.id] = Version(
            session_id=session.id,
            content_hash=session.content_hash,
            chunk_ids=frozenset(c.id for c in chunker.chunk(session)),
            turns=tuple(t.text for t in session.turns),
            quote_hashes=frozenset(c.quote_hash for c in advice if c.cue != SECOND_CHANCE),
            maybe_hashes=frozenset(c.quote_hash for c in advice if c.cue == SECOND_CHANCE),
        )
    return out


@dataclass
class StoreState:
    """The stores of one data directory at one moment."""

    sessions: dict[str, str]  # session id -> content hash
    chunks: dict[str, set[str]]  # session id -> chunk ids in the catalog
    turns: dict[str, tuple[str, ...]]  # session id -> turn texts in the catalog
    vectors: dict[str, str]  # vector id -> its session id (Chroma metadata)
    documents: dict[str, str]  # vector id -> its text, for vectors the catalog lacks
    pending: set[str]  # sessions journalled as in flux
    summaries: dict[str, str]  # session id -> content hash its cached summary was made from
    quote_hashes: dict[str, set[str]] = field(default_factory=dict)  # tips registry

    @property
    def catalog_chunk_ids(self) -> set[str]:
        """Every chunk id the catalog holds."""
        return set().union(*self.chunks.values()) if self.chunks else set()

    @property
    def strays(self) -> dict[str, str]:
        """Vectors whose chunk the catalog does not hold: vector id -> session id."""
        held = self.catalog_chunk_ids
        return {vid: sid for vid, sid in self.vectors.items() if vid not in held}


def _rows(conn: sqlite3.Connection, sql: str) -> list[sqlite3.Row]:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError as exc:  # a feature's table is created on first use
        if "no such table" in str(exc):
            return []
        raise


def read_state(
    data: Path, embeddings: Any, probe_strays: bool = True, chroma_url: str | None = None
) -> StoreState:
    """Open the stores of `data` like a new process would and read everything back.

    With `probe_strays`, each vector the catalog lacks is searched for by its own text, and the
    retriever must not return it (retrieval joins the catalog).
    """
    settings = Settings(data_dir=data, chroma=ChromaSettings(url=chroma_url))
    ctx = Context(settings, embeddings=embeddings)
    try:
        catalog = ctx.catalog
        conn = catalog.conn
        # The FTS index must agree with the chunk rows (raises when it does not).
        conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
        sessions = {r["id"]: r["content_hash"] for r in _rows(conn, "SELECT * FROM sessions")}
        chunks: dict[str, set[str]] = {sid: set() for sid in sessions}
        for r in _rows(conn, "SELECT id, session_id FROM chunks"):
            chunks.setdefault(r["session_id"], set()).add(r["id"])
        turns = {sid: tuple(t.text for t in catalog.turns(sid)) for sid in sessions}
        got = ctx.vectors.store.get(include=["metadatas"])
        vectors = {
            vid: str(meta["session_id"])
            for vid, meta in zip(got["ids"], got["metadatas"], strict=True)
        }
        state = StoreState(
            sessions=sessions,
            chunks=chunks,
            turns=turns,
            vectors=vectors,
            documents={},
            pending=set(catalog.journal_pending()),
            summaries={
                r["session_id"]: r["content_hash"]
                for r in _rows(conn, "SELECT * FROM session_summaries")
            },
        )
        for r in _rows(conn, "SELECT session_id, quote_hash FROM tip_quotes"):
            state.quote_hashes.setdefault(r["session_id"], set()).add(r["quote_hash"])
        if state.strays:
            docs = ctx.vectors.store.get(ids=sorted(state.strays), include=["documents"])
            state.documents = dict(zip(docs["ids"], docs["documents"], strict=True))
        if probe_strays:
            everything = SearchFilters(include_private=True)
            for text in state.documents.values():
                hits = ctx.retriever.retrieve(text, everything, mode="dense").chunks
                assert {h.id for h in hits} <= state.catalog_chunk_ids, "a stray was retrieved"
        return state
    finally:
        ctx.close()
        release_chroma()


def release_chroma() -> None:
    """Forget this process's embedded Chroma clients, so the next open reads the files afresh."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def assert_whole(state: StoreState, versions: list[dict[str, Version]]) -> None:
    """Every stored session is exactly one known version; no chunk lacks its vector.

    Vectors the catalog lacks may exist only for sessions journalled as in flux; derived data
    (cached summary, tip quotes) of every settled session matches its stored version.
    """
    for sid, content_hash in state.sessions.items():
        known = [v[sid] for v in versions if sid in v and v[sid].content_hash == content_hash]
        assert known, f"{sid} is stored with content no version of its file has"
        version = known[0]
        assert state.chunks[sid] == version.chunk_ids, f"{sid}: chunks of mixed versions"
        assert state.turns[sid] == version.turns, f"{sid}: turns of mixed versions"
    missing = state.catalog_chunk_ids - set(state.vectors)
    assert not missing, f"catalog chunks without vectors: {sorted(missing)[:3]}"
    unjournalled = set(state.strays.values()) - state.pending
    assert not unjournalled, f"stray vectors of sessions not in the journal: {unjournalled}"
    for sid in set(state.sessions) - state.pending:
        version = next(
            v[sid]
            for v in versions
            if v.get(sid, None) and v[sid].content_hash == state.sessions[sid]
        )
        assert state.summaries.get(sid) == state.sessions[sid], f"{sid}: summary out of step"
        stored = state.quote_hashes.get(sid, set())
        assert version.quote_hashes <= stored <= version.quote_hashes | version.maybe_hashes, (
            f"{sid}: tips registry out of step"
        )


def assert_settled(state: StoreState) -> None:
    """Nothing in flux: no journal entries, and vectors are exactly the catalog's chunks."""
    assert state.pending == set()
    assert set(state.vectors) == state.catalog_chunk_ids
    assert all(state.chunks[sid] for sid in state.sessions), "a session without chunks"
    assert set(state.summaries) == set(state.sessions)
