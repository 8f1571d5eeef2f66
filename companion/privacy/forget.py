"""Forget a person: remove them from the directory and their words from every store.

Their turns are redacted, not deleted: each keeps its index and timing with the text replaced by
a notice and the speaker by a neutral label, so chunk turn ranges, citations, tip quote turns and
timestamp links of everyone else stay consistent. The redacted session goes through the ingest
pipeline's `store()` (journal, new chunks embedded, stale vectors deleted, FTS rewritten, tips and
summaries listeners), and a tombstone makes every later ingest redact them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from companion.context import Context
from companion.errors import NotFoundError
from companion.people import PeopleDirectory, Person
from companion.people.identities import Identities
from companion.privacy.audit import AuditLog
from companion.privacy.scrub import (
    drop_peer_records,
    reanchor_tips,
    redact_feedback,
    refresh_summaries,
)
from companion.privacy.tombstones import ForgottenSpeakers, chunkable, digest
from companion.privacy.traces import Traces

if TYPE_CHECKING:
    from ingest.service import AuditedPipeline


class ForgetReport(BaseModel):
    """What `people forget` removed."""

    person_id: str
    labels: int = Field(description="speaker labels (name and aliases) tombstoned")
    sessions: list[str] = Field(default_factory=list, description="sessions redacted")
    turns_redacted: int = 0
    vectors_removed: int = 0
    tip_quotes_removed: int = 0
    tips_reanchored: int = 0
    summaries_refreshed: int = 0
    feedback_redacted: int = 0


def person_labels(ctx: Context, person: Person) -> set[str]:
    """Every label the person is known by: their names and every label resolved to them.

    Name, aliases, the directory's alias rows, and every label identity resolution gives them
    in a session ("Amara" where she is the only Amara). Forgetting errs towards removing: a
    first name alone is tombstoned too.
    """
    rows = ctx.catalog.conn.execute(
        "SELECT label FROM person_aliases WHERE person_id = ?", (person.id,)
    )
    spoken = Identities(ctx.catalog).labels_of(person.id)
    return {person.name, *person.aliases, *(r[0] for r in rows), *spoken}


def forget_person(
    ctx: Context, person_id: str, actor: str, pipeline: AuditedPipeline | None = None
) -> ForgetReport:
    """Remove a person and everything they said; safe to re-run if interrupted.

    Raises:
        NotFoundError: No person with this id in the directory.
    """
    directory = PeopleDirectory(ctx.catalog)
    person = directory.get(person_id.strip())
    if person is None:
        raise NotFoundError(f"no person with id '{person_id}'")
    if pipeline is None:
        from ingest.service import build_pipeline

        pipeline = build_pipeline(ctx, actor)
    labels = person_labels(ctx, person)
    tombstones = ForgottenSpeakers(ctx.catalog)
    report = ForgetReport(person_id=person.id, labels=len(labels))
    removed_texts: list[str] = []
    # The writers' lock: no ingest stores a session between the tombstone and the redaction.
    with ctx.catalog.write_lock():
        tombstones.add(person.id, labels)  # first: every later ingest redacts them too
        for session_id in tombstones.sessions_to_redact():
            removed_texts.extend(_redact_session(ctx, pipeline, tombstones, session_id, report))
    traces = Traces.of(labels, removed_texts)
    _remove_from_directory(ctx, person.id)
    # After every session is redacted and the person has left the directory, so nothing
    # regenerated here can quote them or suggest them.
    report.tips_reanchored = reanchor_tips(ctx, traces)
    report.summaries_refreshed = refresh_summaries(ctx, traces)
    report.feedback_redacted = redact_feedback(ctx, traces)
    drop_peer_records(ctx, person.id, report.sessions)
    AuditLog(ctx.catalog).record(
        actor, "person.forgotten", f"person:{digest(person.id)[:16]}",
        report.model_dump(exclude={"person_id"}),
    )
    return report


def _redact_session(
    ctx: Context,
    pipeline: AuditedPipeline,
    tombstones: ForgottenSpeakers,
    session_id: str,
    report: ForgetReport,
) -> list[str]:
    """Store the session with the forgotten turns redacted; returns the removed texts."""
    catalog = ctx.catalog
    session = catalog.load_session(session_id)
    removed = [t.text for t in session.turns if tombstones.matches(t.speaker)]
    redacted = tombstones.redact(session)
    before = catalog.chunk_ids(session_id)
    quotes_before = _tip_quotes(ctx, session_id)
    # The content hash stays the file's, so re-ingesting the unchanged file is a no-op; the
    # cached summary is keyed by it, so drop it for the listener to regenerate.
    from companion.summaries.store import SummaryStore

    SummaryStore(catalog).delete(session_id)
    pipeline.store(redacted, pipeline.chunker.chunk(chunkable(redacted)), via="forget")
    report.sessions.append(session_id)
    report.turns_redacted += len(removed)
    report.vectors_removed += len(before - catalog.chunk_ids(session_id))
    report.tip_quotes_removed += max(0, quotes_before - _tip_quotes(ctx, session_id))
    return removed


def _tip_quotes(ctx: Context, session_id: str) -> int:
    from companion.tips.store import TipStore

    TipStore(ctx.catalog)
    row = ctx.catalog.conn.execute(
        "SELECT count(*) FROM tip_quotes WHERE session_id = ?", (session_id,)
    ).fetchone()
    return int(row[0])


def _remove_from_directory(ctx: Context, person_id: str) -> None:
    with ctx.catalog.transaction() as conn:
        conn.execute("DELETE FROM person_aliases WHERE person_id = ?", (person_id,))
        conn.execute("DELETE FROM people WHERE id = ?", (person_id,))
