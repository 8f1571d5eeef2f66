"""Forget a person: remove them from the directory and their words from every store.

Their turns are redacted, not deleted: each keeps its index and timing with the text replaced by
a notice and the speaker by a neutral label, so chunk turn ranges, citations, tip quote turns and
timestamp links of everyone else stay consistent. The redacted session goes through the ingest
pipeline's `store()` (journal, new chunks embedded, stale vectors deleted, FTS rewritten, tips and
summaries listeners), and a tombstone makes every later ingest redact them again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from companion.core.errors import NotFoundError
from companion.core.feature import Feature
from companion.core.names import MIN_MENTION_CHARS, TITLES
from companion.core.traces import Traces
from companion.features.people import PeopleDirectory, Person
from companion.features.people.identities import Identities
from companion.retrieval.context import Context
from ingest.audit import AuditLog
from ingest.tombstones import ForgottenSpeakers, chunkable
from ingest.upload_copies import remove_uploaded_copy

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
    peer_suggestions_removed: int = 0
    other: dict[str, int] = Field(
        default_factory=dict, description="what other features removed, by their own names"
    )

    def add(self, counts: dict[str, int]) -> None:
        """Add a feature's counts to the named field, or to `other`."""
        for name, n in counts.items():
            if name in type(self).model_fields and name != "other":
                setattr(self, name, getattr(self, name) + n)
            else:
                self.other[name] = self.other.get(name, 0) + n


def person_labels(ctx: Context, person: Person) -> set[str]:
    """Every label the person is known by: their names and every label resolved to them.

    Name, aliases, the directory's alias rows, and every label identity resolution gives them
    in a session ("Amara" where she is the only Amara). Forgetting errs towards removing: a
    first name alone is tombstoned too.
    """
    spoken = Identities(ctx.catalog).labels_of(person.id)
    return {*PeopleDirectory(ctx.catalog).labels(person), *spoken}


def said_forms(labels: set[str]) -> set[str]:
    """The person's name as others write it: each label without a role, and its first name."""
    forms: set[str] = set()
    for label in labels:
        base = re.sub(r"[(\[{].*?[)\]}]", " ", label).split(",")[0].split()
        while len(base) > 1 and (base[0].rstrip(".").casefold(),) in TITLES:
            base = base[1:]  # "Dr Amara Okafor" is "Amara" to colleagues
        if base:
            forms.add(" ".join(base))
        if len(base) >= 2 and len(base[0]) >= MIN_MENTION_CHARS:
            forms.add(base[0])
    return forms


def forget_person(
    ctx: Context,
    person_id: str,
    actor: str,
    pipeline: AuditedPipeline | None = None,
    features: Sequence[Feature] = (),
) -> ForgetReport:
    """Remove a person and everything they said; safe to re-run if interrupted.

    Args:
        ctx: the stores.
        person_id: the directory id of the person.
        actor: who the audit log names.
        pipeline: rewrites the redacted sessions (with every feature's listener).
        features: whose forget hooks remove copies beyond the sessions.

    Raises:
        NotFoundError: No person with this id in the directory.
    """
    directory = PeopleDirectory(ctx.catalog)
    person = directory.get(person_id.strip())
    if person is None:
        raise NotFoundError(f"no person with id '{person_id}'")
    if pipeline is None:
        raise ValueError("forget_person needs the ingest pipeline the composition root builds")
    labels = person_labels(ctx, person)
    tombstones = ForgottenSpeakers(ctx.catalog, ctx.install_secret)
    report = ForgetReport(person_id=person.id, labels=len(labels))
    removed_texts: list[str] = []
    # The writers' lock: no ingest stores a session between the tombstone and the redaction.
    with ctx.catalog.write_lock():
        tombstones.add(person.id, labels)  # first: every later ingest redacts them too
        for session_id in tombstones.sessions_to_redact():
            removed_texts.extend(
                _redact_session(ctx, pipeline, tombstones, session_id, report, features)
            )
    traces = Traces.of(labels | said_forms(labels), removed_texts)
    _remove_from_directory(ctx, person.id)
    # After every session is redacted and the person has left the directory, so nothing
    # regenerated here can quote them or suggest them.
    for feature in features:
        if feature.forget is not None:
            report.add(dict(feature.forget(person.id, traces, report.sessions)))
    ctx.catalog.compact()  # no deleted copy of their words left in the catalog file
    AuditLog(ctx.catalog).record(
        actor, "person.forgotten", f"person:{tombstones.digest(person.id)[3:19]}",
        report.model_dump(exclude={"person_id"}),
    )
    return report


def _redact_session(
    ctx: Context,
    pipeline: AuditedPipeline,
    tombstones: ForgottenSpeakers,
    session_id: str,
    report: ForgetReport,
    features: Sequence[Feature],
) -> list[str]:
    """Store the session with the forgotten turns and names redacted; returns removed texts.

    A session whose id says the name moves to a stable new id (the old one is deleted with
    its derived data); a stored copy of an uploaded file holding the person's words is removed.
    """
    catalog = ctx.catalog
    session = catalog.load_session(session_id)
    removed = [t.text for t in session.turns if tombstones.matches(t.speaker)]
    redacted = tombstones.redact(session)
    before = catalog.chunk_ids(session_id)
    held_before = _held(features, session_id)
    # The content hash stays the file's, so re-ingesting the unchanged file is a no-op; caches
    # keyed by it (the summary) are dropped here for the listeners to regenerate.
    for feature in features:
        if feature.before_redact is not None:
            feature.before_redact(session_id)
    if redacted.id != session_id:
        pipeline.delete(session_id, via="forget", shown_id=redacted.id)
    pipeline.store(redacted, pipeline.chunker.chunk(chunkable(redacted)), via="forget")
    if remove_uploaded_copy(ctx.settings.data_dir, session.source):
        report.add({"uploads_removed": 1})
    report.sessions.append(redacted.id)
    report.turns_redacted += len(removed)
    report.vectors_removed += len(before - catalog.chunk_ids(session_id))
    held_after = _held(features, redacted.id)
    report.add({f"{name}_removed": max(0, n - held_after.get(name, 0))
                for name, n in held_before.items()})
    return removed


def _held(features: Sequence[Feature], session_id: str) -> dict[str, int]:
    """What every feature holds for a session, by name."""
    held: dict[str, int] = {}
    for feature in features:
        if feature.count is not None:
            held.update(feature.count(session_id))
    return held


def _remove_from_directory(ctx: Context, person_id: str) -> None:
    PeopleDirectory(ctx.catalog).remove(person_id)
