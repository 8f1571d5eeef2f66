"""Files -> sessions -> chunks -> vectors + catalog, idempotently and crash-safely.

Order of writes for one session (the catalog is the source of truth), under the catalog's
writer lock so no other writer mistakes this one's journal entry for a killed run's:
1. journal the session as "in flux";
2. embed and upsert only the chunks whose content-derived ids have no vector yet;
3. replace the session's catalog rows (session, turns, chunks, FTS) in one transaction;
4. delete the vectors the new version no longer has;
5. tell the listeners (tips registry, cached summaries); close the journal entry.
A kill at any point leaves the catalog at the old or the new version; stray vectors are never
retrievable (retrieval joins the catalog). The next run first reconciles every journalled
session: vectors are made to match its catalog rows and the listeners are told again (they are
idempotent), so derived data never stays behind a version the catalog holds.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from companion.core.errors import CompanionError, TranscriptParseError
from companion.core.schemas import Chunk, IngestReport, Session
from companion.retrieval.context import Context
from ingest.chunking import Chunker, tokenizer_counter
from ingest.parsers import discover, load_session
from ingest.tombstones import chunkable


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
        # Consent of a file that does not state it (uploads over HTTP set it to theirs).
        self.default_consent = ctx.settings.consent_default(uploaded=False)

    @cached_property
    def chunker(self) -> Chunker:
        """Chunker counting tokens with the embedding model's tokenizer."""
        counter = tokenizer_counter(self.ctx.settings.resolved_model_path())
        return Chunker(counter, self.ctx.settings.chunking.max_tokens)

    def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        """Ingest every transcript and notes file under `paths`; bad files are reported."""
        files, errors = discover(paths)
        report = IngestReport(failed=[str(e) for e in errors])
        self.reconcile(report)  # a killed run's leftovers first, before anything new
        bar = _progress(files, self.ctx.show_progress)
        for path in bar:
            try:
                self._ingest_file(path, report)
            except CompanionError as exc:
                report.failed.append(str(exc))
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(embedded=report.chunks_embedded)
        return report

    def _ingest_file(self, path: Path, report: IngestReport) -> None:
        session = self.prepare(self._with_free_id(load_session(path, self.default_consent)))
        row = self.ctx.catalog.session_row(session.id)
        if row is not None and row["content_hash"] == session.content_hash:
            report.unchanged.append(session.id)
            return
        chunks = self.chunker.chunk(chunkable(session))
        if not chunks:
            raise TranscriptParseError(str(path), "no text to index")
        report.chunks_embedded += self.store(session, chunks)
        (report.replaced if row is not None else report.added).append(session.id)

    def _with_free_id(self, session: Session) -> Session:
        """Give a file a distinct id when another existing file already uses its stem.

        A copy of a stored session (same stem, same content, e.g. the corpus folder copied or
        checked out elsewhere) keeps the stored id, so it is recognised as unchanged instead of
        becoming a second session that doubles every tip's support and every answer's citations.
        """
        row = self.ctx.catalog.session_row(session.id)
        if row is None or row["source"] == session.source or not Path(row["source"]).exists():
            return session
        if row["content_hash"] == session.content_hash:
            return session
        suffix = hashlib.sha1(session.source.encode()).hexdigest()[:6]
        return session.model_copy(update={"id": f"{session.id}-{suffix}"})

    def prepare(self, session: Session) -> Session:
        """The session as it may be stored (subclasses apply privacy rules here)."""
        return session

    def store(self, session: Session, chunks: Sequence[Chunk]) -> int:
        """Write one session (new or changed); returns how many chunks were embedded."""
        catalog = self.ctx.catalog
        with catalog.write_lock():
            catalog.journal_open(session.id)
            embedded, written = self._write_vectors(session, chunks)
            catalog.replace_session(session, chunks, written)
            self._drop_stale_vectors(session.id, {c.id for c in chunks})
            for listener in self.listeners:
                listener.session_stored(session, chunks)
            catalog.journal_close(session.id)
        return embedded

    def delete(self, session_id: str) -> None:
        """Remove a session: catalog rows, FTS entries, vectors and derived data."""
        catalog = self.ctx.catalog
        with catalog.write_lock():
            catalog.require_session(session_id)
            catalog.journal_open(session_id)
            catalog.delete_session(session_id)
            self._drop_stale_vectors(session_id, set())
            for listener in self.listeners:
                listener.session_removed(session_id)
            catalog.journal_close(session_id)

    def reconcile(self, report: IngestReport | None = None) -> int:
        """Settle the sessions a killed or failed run left in flux; returns how many.

        Each ends in step with its catalog rows: vectors match them, and the listeners hear
        about the stored version (or the removal) again.

        Args:
            report: where to record a session that cannot be settled; without one, the error
                is raised.
        """
        catalog = self.ctx.catalog
        with catalog.write_lock():
            pending = catalog.journal_pending()
            for session_id in pending:
                try:
                    self._settle(session_id)
                except CompanionError as exc:
                    if report is None:
                        raise
                    report.failed.append(f"{session_id}: could not reconcile: {exc}")
        return len(pending)

    def _settle(self, session_id: str) -> None:
        catalog = self.ctx.catalog
        if catalog.session_row(session_id) is None:
            self._drop_stale_vectors(session_id, set())
            for listener in self.listeners:
                listener.session_removed(session_id)
        else:
            session, chunks = catalog.load_session(session_id), catalog.chunks(session_id)
            catalog.put_chunk_vectors(self._write_vectors(session, chunks)[1].items())
            self._drop_stale_vectors(session_id, {c.id for c in chunks})
            for listener in self.listeners:
                listener.session_stored(session, chunks)
        catalog.journal_close(session_id)

    def _write_vectors(
        self, session: Session, chunks: Sequence[Chunk]
    ) -> tuple[int, dict[str, Any]]:
        """Embed the chunks that have no vector yet; refresh the others' filter metadata.

        Returns:
            How many chunks were embedded, and every chunk's vector by id (for the catalog's
            copy: the new ones as embedded, the others as stored).
        """
        from companion.storage.vectors import chunk_metadata, stored_vectors

        vectors = self.ctx.vectors
        have = vectors.existing([c.id for c in chunks])

        def meta(chunk: Chunk) -> dict[str, Any]:
            return chunk_metadata(chunk, session.kind, session.date, session.consent)

        kept = [c for c in chunks if c.id in have]
        # Same text, maybe new consent/kind/date: keep Chroma's filter fields in step.
        vectors.update_metadata([c.id for c in kept], [meta(c) for c in kept])
        written = stored_vectors(self.ctx.catalog, vectors, [c.id for c in kept])
        todo = [c for c in chunks if c.id not in have]
        step = max(1, self.ctx.settings.embedding.batch_size * 4)
        for i in range(0, len(todo), step):
            batch = todo[i : i + step]
            added = vectors.add(batch, [meta(c) for c in batch])
            written.update(zip((c.id for c in batch), added, strict=True))
        return len(todo), written

    def _drop_stale_vectors(self, session_id: str, keep: set[str]) -> None:
        vectors = self.ctx.vectors
        vectors.delete(sorted(vectors.ids_for_session(session_id) - keep))


def _progress(files: list[Path], show: bool) -> Iterable[Path]:
    """A bar on a terminal; when stderr is piped (a log, CI), one plain line per file."""
    if not show or not files:
        return files
    if not sys.stderr.isatty():
        return _progress_lines(files)
    from tqdm import tqdm

    return tqdm(files, unit="file", desc="ingest", file=sys.stderr, leave=False)


def _progress_lines(files: list[Path]) -> Iterator[Path]:
    for i, path in enumerate(files, 1):
        print(f"ingest {i}/{len(files)}: {path.name}", file=sys.stderr, flush=True)
        yield path
