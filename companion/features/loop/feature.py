"""The learning-loop feature as the composition root wires it.

Unlike most features it needs two things from the root: the tips service (tip ids are checked
against it, and it reads outcomes back through `TipService.use_outcomes`) and the pipeline
factory (shared reflections are stored as sessions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion.core.feature import Feature, Migration
from companion.core.schemas import Chunk, Session
from companion.core.traces import Traces
from companion.features.loop.impact import QuestionsByWeek
from companion.features.loop.service import LoopService
from companion.features.loop.store import SCHEMA, TABLES
from companion.features.tips.feature import TipService
from companion.retrieval.context import Context
from ingest.service import PipelineFactory

MIGRATIONS = (Migration("loop", 1, SCHEMA),)


class LoopListener:
    """Keeps tries in step when a reflection's session is deleted by someone else."""

    def __init__(self, service: LoopService) -> None:
        self.service = service

    def session_stored(self, session: Session, chunks: Sequence[Chunk]) -> None:
        """Nothing to do: reflections are stored by the loop itself."""

    def session_removed(self, session_id: str) -> None:
        """Forget the link from a try to its deleted reflection session."""
        self.service.session_removed(session_id)


def build(
    ctx: Context, tips: TipService, pipeline: PipelineFactory,
    questions: QuestionsByWeek | None = None,
) -> Feature:
    """The loop feature: tries, outcomes, reflections; forget and delete hooks; tables."""
    service = LoopService(ctx, tips, pipeline, questions)

    def forget(person: str, traces: Traces, sessions: Sequence[str]) -> Mapping[str, int]:
        return service.forget_person(traces)

    return Feature(
        name="loop", service=service, listener=LoopListener(service), tables=TABLES,
        forget=forget,
    )
