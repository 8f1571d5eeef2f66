"""Builds the ingest pipeline with every feature that keeps derived data in step.

`build_pipeline` returns an `AuditedPipeline`: the pipeline itself, plus the privacy rules that
apply to every write (forgotten speakers are redacted before a session is stored) and an audit
log entry for every session stored or deleted.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from companion.context import Context
from companion.privacy.audit import AuditLog, cli_actor
from companion.privacy.tombstones import ForgottenSpeakers, chunkable
from companion.schemas import Chunk, Session
from ingest.pipeline import IngestPipeline, SessionListener

# Features that keep derived data (tips, cached summaries) in step with sessions. Each module
# exposes `make_listener(ctx) -> SessionListener`; a feature not present is simply absent.
LISTENER_MODULES = ("companion.tips.listener", "companion.summaries.listener")


def session_listeners(ctx: Context) -> list[SessionListener]:
    """The listeners of every feature that is installed."""
    listeners: list[SessionListener] = []
    for name in LISTENER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        listeners.append(module.make_listener(ctx))
    return listeners


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

    def delete(self, session_id: str, via: str = "delete") -> None:
        """Remove a session with its vectors and derived data, and audit it."""
        super().delete(session_id)
        AuditLog(self.ctx.catalog).record(
            self.actor, "session.deleted", f"session:{session_id}", {"via": via}
        )


def build_pipeline(ctx: Context, actor: str | None = None) -> AuditedPipeline:
    """The pipeline the CLI, the API and the tests use.

    Args:
        ctx: the stores and models.
        actor: who the audit log names for its writes (the API passes the key).
    """
    return AuditedPipeline(ctx, session_listeners(ctx), actor)
