"""Shared reflections as sessions of kind `reflection`: chunked, embedded, searchable, citable.

They go through the ingest pipeline like any session, so ask and summaries cite them with the
same verification, and deleting one removes its vectors. The session names no learner: its one
turn is spoken by a neutral label. Unshared reflections never come here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from companion.core.errors import NotFoundError
from companion.core.schemas import REFLECTION_KIND, Session, Turn
from ingest.service import PipelineFactory

SPEAKER = "A learner"
SERIES = "Learner reflections"
OUTCOME_WORDS = {"worked": "it worked", "partly": "it partly worked", "did_not": "it did not work"}


def reflection_session_id(try_id: str) -> str:
    """The session id a try's shared reflection is stored under."""
    return f"reflection-{try_id.removeprefix('try-')}"


def reflection_session(row: dict[str, Any], subject: str) -> Session:
    """The session for a try's shared reflection.

    Args:
        row: the try (its reflection, outcome and times).
        subject: what was tried, as a reader should see it (the tip's text or the question).
    """
    text = str(row["reflection"]).strip()
    title = f"Reflection on trying: {subject.strip()[:90]}"
    return Session(
        id=reflection_session_id(row["id"]),
        title=f"{title} ({OUTCOME_WORDS.get(row['outcome'], row['outcome'])})",
        date=str(row["outcome_at"] or row["created_at"])[:10],
        kind=REFLECTION_KIND,
        series=SERIES,
        consent=True,
        source=f"loop:{row['id']}",
        content_hash=hashlib.sha256(f"{title}\n{text}".encode()).hexdigest(),
        turns=[Turn(index=0, speaker=SPEAKER, text=text)],
    )


class ReflectionPublisher:
    """Stores and removes shared reflections through the ingest pipeline.

    Args:
        pipeline: builds the pipeline (every feature's listener) for an actor.
    """

    def __init__(self, pipeline: PipelineFactory) -> None:
        self.pipeline = pipeline

    def publish(self, row: dict[str, Any], subject: str, actor: str) -> str:
        """Store (or replace) the try's reflection as a session; returns its id."""
        pipeline = self.pipeline(actor)
        session = reflection_session(row, subject)
        pipeline.store(session, pipeline.chunker.chunk(session), via="reflection")
        return session.id

    def unpublish(self, session_id: str, actor: str) -> bool:
        """Delete a reflection's session, with its vectors; False when it was already gone."""
        try:
            self.pipeline(actor).delete(session_id, via="reflection")
        except NotFoundError:
            return False
        return True
