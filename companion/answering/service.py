"""Ask: retrieve, decide whether the sessions cover the question, compose, verify."""

from __future__ import annotations

from companion.answering.extractive import ExtractiveGenerator
from companion.context import Context
from companion.errors import InputError
from companion.retrieval.hybrid import Retrieval, SearchFilters
from companion.schemas import Answer, SessionRef

NOT_COVERED = "The sessions don't cover this question."


class AnswerService:
    """Answers questions from what colleagues said, or says plainly that it cannot.

    Args:
        ctx: stores and models.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.extractive = ExtractiveGenerator(ctx.catalog, ctx.settings.retrieval.answer_chunks)

    def ask(self, question: str, filters: SearchFilters | None = None) -> Answer:
        """A cited answer, or an abstention naming the nearest sessions."""
        question = " ".join(question.split())
        if not question:
            raise InputError("the question is empty")
        limit = self.ctx.settings.api.max_question_chars
        if len(question) > limit:
            raise InputError(f"the question is {len(question)} characters; the limit is {limit}")
        retrieval = self.ctx.retriever.retrieve(question, filters)
        if self.covered(retrieval):
            answer = self.ctx.verifier.verify(self.extractive.compose(retrieval))
            if answer.citations:
                return answer
        return self.abstain(retrieval)

    def covered(self, retrieval: Retrieval) -> bool:
        """Whether retrieval found passages close enough to answer from."""
        return bool(retrieval.chunks) and (
            retrieval.best_similarity >= self.ctx.settings.retrieval.abstain_threshold
        )

    def abstain(self, retrieval: Retrieval) -> Answer:
        """The plain 'not covered' answer, naming the nearest sessions where there are some."""
        nearest: dict[str, SessionRef] = {}
        for c in sorted(retrieval.chunks, key=lambda c: -(c.similarity or 0.0)):
            if c.similarity is not None and c.similarity >= 0.15 and c.session_id not in nearest:
                nearest[c.session_id] = SessionRef(
                    session_id=c.session_id, title=c.session_title, score=round(c.similarity, 3)
                )
        refs = list(nearest.values())[:3]
        text = NOT_COVERED
        if refs:
            text += " The nearest sessions are: " + "; ".join(f"“{r.title}”" for r in refs) + "."
        return Answer(
            question=retrieval.question, answer=text, abstained=True, nearest_sessions=refs
        )
