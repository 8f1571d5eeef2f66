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
from ingest.upload_copies import remove_uploaded_copy


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
        self.redacted: list[str] = []  # sessions stored with forgotten people redacted

    def prepare(self, session: Session) -> Session:
        """The session as it may be stored: forgotten speakers and names redacted."""
        redacted = ForgottenSpeakers(self.ctx.catalog, self.ctx.install_secret).redact(session)
        if redacted is not session:
            self.redacted.append(redacted.id)
        return redacted

    def store(self, session: Session, chunks: Sequence[Chunk], via: str = "ingest") -> int:
        """Write one session, redacting forgotten speakers first; returns chunks embedded."""
        # Under the writers' lock (re-entrant), so a `forget` cannot slip between the tombstone
        # check and the write.
        with self.ctx.catalog.write_lock():
            redacted = self.prepare(session)
            if redacted is not session:
                chunks = self.chunker.chunk(chunkable(redacted))
            existed = self.ctx.catalog.session_row(redacted.id) is not None
            embedded = super().store(redacted, chunks)
        AuditLog(self.ctx.catalog).record(
            self.actor, "session.replaced" if existed else "session.added",
            f"session:{redacted.id}", {"via": via, "chunks": len(chunks), "embedded": embedded},
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

    def delete(self, session_id: str, via: str = "delete", shown_id: str | None = None) -> None:
        """Remove a session with its vectors, derived data and stored upload, and audit it.

        Args:
            session_id: the session to remove.
            via: what removed it (the audit detail).
            shown_id: the id the audit log names instead (forget: an id that says a name).
        """
        row = self.ctx.catalog.session_row(session_id)
        super().delete(session_id)
        detail: dict[str, object] = {"via": via}
        if row is not None and remove_uploaded_copy(self.ctx.settings.data_dir, row["source"]):
            detail["upload_removed"] = True
        AuditLog(self.ctx.catalog).record(
            self.actor, "session.deleted", f"session:{shown_id or session_id}", detail
        )


# Builds the pipeline for an actor (who the audit log names); the composition root provides it.
PipelineFactory = Callable[[str | None], AuditedPipeline]
