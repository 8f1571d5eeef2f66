"""The relational catalog: sessions, turns, chunks (with an FTS5 index) and the vector journal.

SQLite in WAL mode with a busy timeout, one connection per thread, so several API workers and an
ingest can share the file. The catalog is the source of truth: a chunk exists when its row does;
the vector store is an index that retrieval joins back to these rows.

Writing a session touches two stores (vectors, then rows), so session writers also hold a file
lock beside the catalog (`write_lock`): whoever sees a journal entry while holding it knows the
writer that opened it is gone (killed, or failed) and may reconcile it.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.errors import NotFoundError
from companion.core.schemas import Chunk, Session, SessionSummary, Turn
from companion.storage.catalog_schema import CHUNK_VECTORS, SCHEMA
from companion.storage.lexical import RarestTerms

__all__ = ["CHUNK_VECTORS", "SCHEMA", "Catalog", "MatchScores"]

# Seconds a writer waits for another's transaction before "database is locked": long enough
# for the longest transaction (a session replace, a tips update), short enough to surface a hang.
BUSY_TIMEOUT_S = 30.0

# Rows of FTS ranking joined and filtered per wanted lexical hit (see `search_lexical`).
LEXICAL_OVERSAMPLE = 4
# The lexical leg matches the question's rarest terms only: at most this many, matching at most
# this many chunks in all (see `storage.lexical`); BM25 cost follows the chunks it scores.
LEXICAL_MAX_TERMS = 6
LEXICAL_MAX_POSTINGS = 4000
_RAREST = RarestTerms("chunks_fts", LEXICAL_MAX_TERMS, LEXICAL_MAX_POSTINGS)


@dataclass(frozen=True)
class MatchScores:
    """BM25 scores of every chunk a lexical query matched: rowids ascending, and their scores."""

    rowids: np.ndarray
    scores: np.ndarray

    def of(self, rowids: dict[str, int]) -> dict[str, float]:
        """The score of each of these chunks (chunk id -> rowid) that matched, by chunk id."""
        ids = list(rowids)
        wanted = np.asarray([rowids[i] for i in ids], dtype=np.int64)
        at = np.minimum(np.searchsorted(self.rowids, wanted), max(len(self.rowids) - 1, 0))
        hit = (self.rowids[at] == wanted) if len(self.rowids) else np.zeros(len(ids), bool)
        return {ids[k]: float(self.scores[at[k]]) for k in np.flatnonzero(hit)}


def _in_batches(values: Sequence[Any]) -> Iterator[tuple[list[Any], str]]:
    """Values in batches of 500 (under SQLite's parameter limit), each with its `?,?,...`."""
    for i in range(0, len(values), 500):
        part = list(values[i : i + 500])
        yield part, ",".join("?" * len(part))


def _blob(vector: Sequence[float]) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """SQLite-backed catalog; safe to share between threads (a connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._schemas: set[str] = set()
        self._schemas_lock = threading.Lock()
        self.ensure_schema(SCHEMA)
        self.ensure_schema(CHUNK_VECTORS)

    # -- connections -------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            # Durable across a killed process (only a power cut can lose the last commits).
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work (BEGIN IMMEDIATE so writers queue instead of failing)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the session writers' lock (across threads and processes; re-entrant per thread).

        The operating system drops the lock when its process dies, so a killed ingest never
        blocks the next one.
        """
        depth: int = getattr(self._local, "lock_depth", 0)
        if depth:
            self._local.lock_depth = depth + 1
            try:
                yield
            finally:
                self._local.lock_depth = depth
            return
        # flock conflicts between open files, not processes: each holder opens its own.
        with open(self.path.with_name(self.path.name + ".lock"), "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            self._local.lock_depth = 1
            try:
                yield
            finally:
                self._local.lock_depth = 0
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def ensure_schema(self, ddl: str) -> None:
        """Create a feature's tables (tips, people, keys...) if they do not exist.

        Runs each script once per catalog object: creating tables takes the write lock, and
        features call this whenever they open their store.
        """
        with self._schemas_lock:
            if ddl in self._schemas:
                return
            # executescript commits on its own, so the script carries its own transaction.
            self.conn.executescript(f"BEGIN IMMEDIATE;\n{ddl}\nCOMMIT;")
            self._schemas.add(ddl)

    def compact(self) -> None:
        """Leave no copy of deleted text in the file: merge the FTS index, rebuild, checkpoint.

        FTS5 keeps a deleted row's terms in old index segments until they merge, and SQLite
        keeps freed pages (and the WAL) with their old bytes; after a person is forgotten,
        neither may still hold their words, nor may a backup or export copy them.
        """
        with self.write_lock():
            self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.lexical = {}

    # -- sessions ----------------------------------------------------------------------------

    def session_row(self, session_id: str) -> sqlite3.Row | None:
        """The session's catalog row, or None."""
        return self.conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()

    def require_session(self, session_id: str) -> sqlite3.Row:
        """The session's row; NotFoundError when there is none."""
        row = self.session_row(session_id)
        if row is None:
            raise NotFoundError(f"no session with id '{session_id}'")
        return row

    def list_sessions(self) -> list[SessionSummary]:
        """Every session with its turn and chunk counts, newest first."""
        rows = self.conn.execute(
            """SELECT s.*, (SELECT count(*) FROM turns t WHERE t.session_id = s.id) AS n_turns,
                      (SELECT count(*) FROM chunks c WHERE c.session_id = s.id) AS n_chunks
               FROM sessions s ORDER BY coalesce(s.date, '') DESC, s.id"""
        ).fetchall()
        return [
            SessionSummary(
                id=r["id"],
                title=r["title"],
                source=r["source"],
                kind=r["kind"],
                date=r["date"],
                turns=r["n_turns"],
                chunks=r["n_chunks"],
            )
            for r in rows
        ]

    def load_session(self, session_id: str) -> Session:
        """The stored session with all its turns."""
        row = self.require_session(session_id)
        return Session(
            id=row["id"],
            title=row["title"],
            date=row["date"],
            kind=row["kind"],
            facilitator=row["facilitator"],
            series=row["series"],
            consent=bool(row["consent"]),
            source=row["source"],
            content_hash=row["content_hash"],
            turns=self.turns(session_id),
        )

    def turns(self, session_id: str, start: int = 0, end: int | None = None) -> list[Turn]:
        """Turns of a session, optionally a range [start, end] (inclusive)."""
        hi = end if end is not None else 1 << 62
        rows = self.conn.execute(
            'SELECT idx, speaker, text, start, "end", section FROM turns '
            "WHERE session_id = ? AND idx BETWEEN ? AND ? ORDER BY idx",
            (session_id, start, hi),
        ).fetchall()
        return [
            Turn(
                index=r["idx"],
                speaker=r["speaker"],
                text=r["text"],
                start=r["start"],
                end=r["end"],
                section=r["section"],
            )
            for r in rows
        ]

    def replace_session(
        self,
        session: Session,
        chunks: Sequence[Chunk],
        vectors: Mapping[str, Sequence[float]] | None = None,
    ) -> None:
        """Write a session, its turns and chunks in one transaction, replacing any old version.

        Args:
            session: the session.
            chunks: its chunks.
            vectors: the chunks' vectors as written to the vector store (by chunk id), kept as
                the catalog's copy; a chunk without one is read from the vector store.
        """
        with self.transaction() as conn:
            self._delete_rows(conn, session.id)
            conn.execute(
                "INSERT INTO sessions (id, title, date, kind, facilitator, series, consent, source,"
                " content_hash, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    session.id,
                    session.title,
                    session.date,
                    session.kind,
                    session.facilitator,
                    session.series,
                    int(session.consent),
                    session.source,
                    session.content_hash,
                    _now(),
                ),
            )
            conn.executemany(
                'INSERT INTO turns (session_id, idx, speaker, text, start, "end", section) '
                "VALUES (?,?,?,?,?,?,?)",
                [
                    (session.id, t.index, t.speaker, t.text, t.start, t.end, t.section)
                    for t in session.turns
                ],
            )
            conn.executemany(
                'INSERT INTO chunks (id, session_id, ordinal, turn_start, turn_end, start, "end",'
                " speakers, text) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        c.id,
                        c.session_id,
                        c.ordinal,
                        c.turn_start,
                        c.turn_end,
                        c.start,
                        c.end,
                        "|".join(c.speakers),
                        c.text,
                    )
                    for c in chunks
                ],
            )
            if vectors:
                conn.executemany(
                    "INSERT OR REPLACE INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                    [(c.id, _blob(vectors[c.id])) for c in chunks if c.id in vectors],
                )

    def delete_session(self, session_id: str) -> None:
        """Remove a session's rows (turns, chunks, FTS entries) in one transaction."""
        with self.transaction() as conn:
            self._delete_rows(conn, session_id)

    @staticmethod
    def _delete_rows(conn: sqlite3.Connection, session_id: str) -> None:
        conn.execute(
            "DELETE FROM chunk_vectors WHERE chunk_id IN "
            "(SELECT id FROM chunks WHERE session_id = ?)",
            (session_id,),
        )
        conn.execute("DELETE FROM chunks WHERE session_id = ?", (session_id,))
        conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- chunks ------------------------------------------------------------------------------

    def chunk_ids(self, session_id: str) -> set[str]:
        """Ids of a session's chunks."""
        rows = self.conn.execute("SELECT id FROM chunks WHERE session_id = ?", (session_id,))
        return {r[0] for r in rows}

    def chunks(self, session_id: str) -> list[Chunk]:
        """A session's stored chunks, in order."""
        rows = self.conn.execute(
            "SELECT * FROM chunks WHERE session_id = ? ORDER BY ordinal, turn_start", (session_id,)
        ).fetchall()
        return [
            Chunk(
                id=r["id"],
                session_id=r["session_id"],
                text=r["text"],
                speakers=[s for s in r["speakers"].split("|") if s],
                turn_start=r["turn_start"],
                turn_end=r["turn_end"],
                start=r["start"],
                end=r["end"],
                ordinal=r["ordinal"],
            )
            for r in rows
        ]

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
        """Chunk rows joined with their session's title, consent, kind and date."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"""SELECT c.*, s.title AS session_title, s.consent, s.kind, s.date
                FROM chunks c JOIN sessions s ON s.id = c.session_id
                WHERE c.id IN ({marks})""",
            ids,
        ).fetchall()
        return {r["id"]: r for r in rows}

    def put_chunk_vectors(self, items: Iterable[tuple[str, Sequence[float]]]) -> None:
        """Keep a copy of chunks' vectors (as written to the vector store), float32."""
        rows = [(cid, _blob(v)) for cid, v in items]
        if rows:
            with self.transaction() as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)", rows
                )

    def chunk_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored copy of each of these chunks' vectors that has one (id -> float32)."""
        found: dict[str, np.ndarray] = {}
        for part, marks in _in_batches(ids):
            for cid, blob in self.conn.execute(
                f"SELECT chunk_id, vector FROM chunk_vectors WHERE chunk_id IN ({marks})", part
            ):
                found[cid] = np.frombuffer(blob, dtype=np.float32)
        return found

    def search_lexical(
        self, match: str, limit: int, where: str = "", params: Sequence[Any] = ()
    ) -> list[tuple[str, float]]:
        """BM25 search of chunk text: (chunk id, bm25 score; lower is better), best first.

        The FTS index ranks on its own first and only its best `LEXICAL_OVERSAMPLE` x `limit`
        rows are joined with their chunk and session and filtered: joining every match before
        sorting cost about twice as much at 100k chunks. When the filters leave fewer than
        `limit` of those, the search runs again over every match, so the result is always the
        best `limit` matching rows (ties broken by rowid).

        An OR of quoted terms (what `core.terms.fts_query` builds) is first narrowed to its
        rarest terms that match some chunk, at most `LEXICAL_MAX_TERMS` matching at most
        `LEXICAL_MAX_POSTINGS` chunks in all (`storage.lexical`), so the cost does not grow
        with the corpus, the question's length or its common words.
        """
        match = _RAREST.narrow(self.conn, match, self._lexical_cache())
        if not match:
            return []
        head = max(limit * LEXICAL_OVERSAMPLE, limit)
        sql = f"""SELECT c.id, f.score
                  FROM (SELECT rowid, bm25(chunks_fts) AS score FROM chunks_fts
                        WHERE chunks_fts MATCH ? ORDER BY score, rowid LIMIT ?) f
                  JOIN chunks c ON c.rowid = f.rowid
                  JOIN sessions s ON s.id = c.session_id
                  WHERE 1 {where}
                  ORDER BY f.score, f.rowid LIMIT ?"""
        rows = self.conn.execute(sql, (match, head, *params, limit)).fetchall()
        if len(rows) < limit:
            matched = self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)",
                (match, head + 1),
            ).fetchone()[0]
            if matched > head:  # the filters dropped too many of the head: rank every match
                sql = f"""SELECT c.id, bm25(chunks_fts) AS score
                          FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                          JOIN sessions s ON s.id = c.session_id
                          WHERE chunks_fts MATCH ? {where}
                          ORDER BY score, c.rowid LIMIT ?"""
                rows = self.conn.execute(sql, (match, *params, limit)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def lexical_scores(self, match: str, ids: Sequence[str]) -> dict[str, float]:
        """BM25 score (lower is better) of each of these chunks that matches `match`.

        The same terms and scores as `search_lexical` (the query is narrowed the same way and
        FTS5's bm25 uses whole-index statistics), but the index is probed only at these chunks'
        rows instead of ranking every match: the cost follows `ids`, not the corpus.
        """
        match = _RAREST.narrow(self.conn, match, self._lexical_cache())
        if not match or not ids:
            return {}
        found: dict[str, float] = {}
        for part, marks in _in_batches(ids):
            rows = self.conn.execute(
                f"""SELECT c.id, bm25(chunks_fts) FROM chunks c
                    JOIN chunks_fts ON chunks_fts.rowid = c.rowid
                    WHERE c.id IN ({marks}) AND chunks_fts MATCH ?""",
                (*part, match),
            ).fetchall()
            found.update((r[0], r[1]) for r in rows)
        return found

    def search_lexical_scored(
        self, match: str, limit: int, where: str = "", params: Sequence[Any] = ()
    ) -> tuple[list[tuple[str, float]], MatchScores | None]:
        """`search_lexical`'s result, and the BM25 score of every chunk `match` hits.

        One pass of the index scores every match of the narrowed terms (at most
        `LEXICAL_MAX_POSTINGS` chunks); the best are then joined and filtered as
        `search_lexical` does, with the same result. Retrieval reads the other scores for the
        dense hits the lexical leg did not rank, instead of probing the index again after the
        dense search (`lexical_scores`). The matches come back as one row of text, not a row
        each: each row fetched takes Python's GIL from the embedding running beside it. When
        the rarest term alone matches more chunks than that, this is `search_lexical` and the
        scores are None.
        """
        narrowed = _RAREST.narrow(self.conn, match, self._lexical_cache())
        if not narrowed:
            return [], MatchScores(np.zeros(0, dtype=np.int64), np.zeros(0))
        count, text = self.conn.execute(
            """SELECT count(*), group_concat(r || ' ' || printf('%!.17g', s), ' ')
               FROM (SELECT rowid AS r, bm25(chunks_fts) AS s FROM chunks_fts
                     WHERE chunks_fts MATCH ? LIMIT ?)""",
            (narrowed, LEXICAL_MAX_POSTINGS + 1),
        ).fetchone()
        if count > LEXICAL_MAX_POSTINGS:
            return self.search_lexical(match, limit, where, params), None
        pairs = np.array((text or "").split(), dtype=np.float64).reshape(-1, 2)
        rowids, scores = pairs[:, 0].astype(np.int64), pairs[:, 1]
        ranked = np.lexsort((rowids, scores))  # best score first, ties by rowid
        head = max(limit * LEXICAL_OVERSAMPLE, limit)
        passing = self._passing(rowids[ranked[:head]].tolist(), where, params)
        if len(passing) < limit < len(ranked):  # the filters dropped too many of the head
            passing = self._passing(rowids[ranked].tolist(), where, params)
        found = [
            (passing[int(rowids[i])], float(scores[i]))
            for i in ranked if int(rowids[i]) in passing
        ][:limit]
        order = np.argsort(rowids, kind="stable")
        return found, MatchScores(rowids[order], scores[order])

    def _passing(self, rowids: Sequence[int], where: str, params: Sequence[Any]) -> dict[int, str]:
        """The chunk id of each of these rowids whose chunk and session pass `where`."""
        out: dict[int, str] = {}
        for part, marks in _in_batches(rowids):
            out.update(self.conn.execute(
                f"""SELECT c.rowid, c.id FROM chunks c JOIN sessions s ON s.id = c.session_id
                    WHERE c.rowid IN ({marks}) {where}""",
                (*part, *params),
            ).fetchall())
        return out

    def _lexical_cache(self) -> dict[str, object]:
        cache: dict[str, object] | None = getattr(self._local, "lexical", None)
        if cache is None:
            cache = self._local.lexical = {}
        return cache

    def counts(self) -> dict[str, int]:
        """Totals of sessions, turns and chunks."""
        conn = self.conn
        return {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("sessions", "turns", "chunks")
        }

    # -- vector journal ----------------------------------------------------------------------

    def journal_open(self, session_id: str) -> None:
        """Record that the session's vectors and derived data are about to change."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO vector_journal (session_id, started_at) VALUES (?, ?)",
                (session_id, _now()),
            )

    def journal_close(self, session_id: str) -> None:
        """Record that the session's vectors and derived data match the catalog again."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM vector_journal WHERE session_id = ?", (session_id,))

    def journal_pending(self) -> list[str]:
        """Sessions whose vectors or derived data may not match the catalog."""
        return [r[0] for r in self.conn.execute("SELECT session_id FROM vector_journal")]
