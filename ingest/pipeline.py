"""Files -> sessions -> chunks -> vectors + catalog, idempotently and crash-safely.

Order of writes for one session (the catalog is the source of truth):
1. journal the session as "vectors in flux";
2. embed and upsert only the chunks whose content-derived ids have no vector yet;
3. replace the session's catalog rows (session, turns, chunks, FTS) in one transaction;
4. delete the vectors the new version no longer has; close the journal entry.
A kill at any point leaves the catalog at the old or the new version; stray vectors are never
retrievable (retrieval joins the catalog) and the next run removes them.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Protocol

from companion.context import Context
from companion.errors import CompanionError, TranscriptParseError
from companion.schemas import Chunk, IngestReport, Session
from ingest.chunking import Chunker, tokenizer_counter
from ingest.parsers import discover, load_session


class SessionListener(Protocol):
    """A feature that keeps derived data (tips, summaries) in step with sessions."""

    def session_stored(self, session: Session, chunks: Sequence[Chunk]) -> None:
        """Called after a new or changed session is stored."""

    def session_removed(self, session_id: str) -> None:
        """Called after a session is deleted."""


class IngestPipeline:
    """Ingests transcripts and notes into the stores of a `Context`.

    Args:
        ctx: the stores and models.
        listeners: features to tell about stored and removed sessions.
    """

    def __init__(self, ctx: Context, listeners: Sequence[SessionListener] = ()) -> None:
        self.ctx = ctx
        self.listeners = list(listeners)

    @cached_property
    def chunker(self) -> Chunker:
        """Chunker counting tokens with the embedding model's tokenizer."""
        counter = tokenizer_counter(self.ctx.settings.resolved_model_path())
        return Chunker(counter, self.ctx.settings.chunking.max_tokens)

    def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        """Ingest every transcript and notes file under `paths`; bad files are reported."""
        files, errors = discover(paths)
        report = IngestReport(failed=[str(e) for e in errors])
        bar = _progress(files, self.ctx.show_progress)
        for path in bar:
            try:
                self._ingest_file(path, report)
            except CompanionError as exc:
                report.failed.append(str(exc))
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(embedded=report.chunks_embedded)
        self.reconcile()
        return report

    def _ingest_file(self, path: Path, report: IngestReport) -> None:
        session = self._with_free_id(load_session(path))
        row = self.ctx.catalog.session_row(session.id)
        if row is not None and row["content_hash"] == session.content_hash:
            report.unchanged.append(session.id)
            return
        chunks = self.chunker.chunk(session)
        if not chunks:
            raise TranscriptParseError(str(path), "no text to index")
        report.chunks_embedded += self.store(session, chunks)
        (report.replaced if row is not None else report.added).append(session.id)

    def _with_free_id(self, session: Session) -> Session:
        """Give a file a distinct id when another existing file already uses its stem."""
        row = self.ctx.catalog.session_row(session.id)
        if row is None or row["source"] == session.source or not Path(row["source"]).exists():
            return session
        suffix = hashlib.sha1(session.source.encode()).hexdigest()[:6]
        return session.model_copy(update={"id": f"{session.id}-{suffix}"})

    def store(self, session: Session, chunks: Sequence[Chunk]) -> int:
        """Write one session (new or changed); returns how many chunks were embedded."""
        catalog, vectors = self.ctx.catalog, self.ctx.vectors
        catalog.journal_open(session.id)
        ids = [c.id for c in chunks]
        have = vectors.existing(ids)
        todo = [c for c in chunks if c.id not in have]
        meta = {"kind": session.kind, "date": session.date, "consent": session.consent}
        from companion.providers.vectorstore import chunk_metadata

        kept = [c for c in chunks if c.id in have]
        # Same text, maybe new consent/kind/date: keep Chroma's filter fields in step.
        vectors.update_metadata([c.id for c in kept], [chunk_metadata(c, **meta) for c in kept])  # type: ignore[arg-type]
        step = max(1, self.ctx.settings.embedding.batch_size * 4)
        for i in range(0, len(todo), step):
            batch = todo[i : i + step]
            vectors.add(batch, [chunk_metadata(c, **meta) for c in batch])  # type: ignore[arg-type]
        catalog.replace_session(session, chunks)
        stale = vectors.ids_for_session(session.id) - set(ids)
        vectors.delete(sorted(stale))
        catalog.journal_close(session.id)
        for listener in self.listeners:
            listener.session_stored(session, chunks)
        return len(todo)

    def delete(self, session_id: str) -> None:
        """Remove a session: catalog rows, FTS entries, vectors and derived data."""
        catalog = self.ctx.catalog
        catalog.require_session(session_id)
        catalog.journal_open(session_id)
        catalog.delete_session(session_id)
        self.ctx.vectors.delete(sorted(self.ctx.vectors.ids_for_session(session_id)))
        catalog.journal_close(session_id)
        for listener in self.listeners:
            listener.session_removed(session_id)

    def reconcile(self) -> int:
        """Bring vectors in line with the catalog for sessions a killed run left in flux."""
        catalog = self.ctx.catalog
        pending = catalog.journal_pending()
        for session_id in pending:
            stale = self.ctx.vectors.ids_for_session(session_id) - catalog.chunk_ids(session_id)
            self.ctx.vectors.delete(sorted(stale))
            catalog.journal_close(session_id)
        return len(pending)


def _progress(files: list[Path], show: bool) -> Iterable[Path]:
    if not show or not files:
        return files
    from tqdm import tqdm

    return tqdm(files, unit="file", desc="ingest", file=sys.stderr, leave=False)
