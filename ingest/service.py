"""The ingest pipeline as every writer uses it: privacy rules and an audit entry on each write.

`AuditedPipeline` is the pipeline itself, plus the privacy rules that apply to every write
(forgotten speakers are redacted before a session is stored) and an audit log entry for every
session stored or deleted. The composition root (`companion.app`) hands it the listeners of the
features that keep derived data in step; ingest imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from companion.core.schemas import Chunk, IngestReport, Session
from companion.retrieval.context import Context
from ingest.audit import AuditLog, cli_actor
from ingest.pipeline import IngestPipeline, SessionListener
from ingest.retention import purge_sessions
from ingest.tombstones import ForgottenSpeakers, chunkable


class AuditedPipeline(IngestPipeline):
    """The ingest pipeline with forgotten speakers redacted and every write audited.

    Args:
        ctx: the stores and models.
        listeners: features to tell about stored and removed sessions.
        actor: who the audit log names (default: the operating-system user).
    """

    def __init__(
        self, ctx: Context, listeners: Sequence[SessionListener] = (), actor: str | None = None
    ) -> None:
        super().__init__(ctx, listeners)
        self.actor = actor or cli_actor()
        self.purged: list[str] | None = None

    def store(self, session: Session, chunks: Sequence[Chunk], via: str = "ingest") -> int:
        """Write one session, redacting forgotten speakers first; returns chunks embedded."""
        # Under the writers' lock (re-entrant), so a `forget` cannot slip between the tombstone
        # check and the write.
        with self.ctx.catalog.write_lock():
            redacted = ForgottenSpeakers(self.ctx.catalog).redact(session)
            if redacted is not session:
                chunks = self.chunker.chunk(chunkable(redacted))
            existed = self.ctx.catalog.session_row(session.id) is not None
            embedded = super().store(redacted, chunks)
        AuditLog(self.ctx.catalog).record(
            self.actor, "session.replaced" if existed else "session.added",
            f"session:{session.id}", {"via": via, "chunks": len(chunks), "embedded": embedded},
        )
        return embedded

    def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        """Ingest files and folders, then apply retention when a retention period is set.

        The sessions purged (if any) are in `self.purged` (None when retention is off), so
        the CLI and uploads over HTTP apply the same policy.
        """
        report = super().ingest(paths)
        days = self.ctx.settings.retention_days
        self.purged = None
        if days is not None:
            self.purged = purge_sessions(self.ctx, days, self.actor, pipeline=self).deleted
        return report

    def delete(self, session_id: str, via: str = "delete") -> None:
        """Remove a session with its vectors and derived data, and audit it."""
        super().delete(session_id)
        AuditLog(self.ctx.catalog).record(
            self.actor, "session.deleted", f"session:{session_id}", {"via": via}
        )


# Builds the pipeline for an actor (who the audit log names); the composition root provides it.
PipelineFactory = Callable[[str | None], AuditedPipeline]
