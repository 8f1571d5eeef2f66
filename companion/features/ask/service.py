"""Ask: retrieve, decide whether the sessions cover the question, compose, verify.

Two generators compose answers: `extractive` (no model; every sentence is a cited quote) and
`llm` (a chat model from `settings.llm.provider`, every sentence verified against the passage it
cites). When the model fails, or too little of what it says is supported, the answer falls back
to extractive and says so in `notice`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from langchain_core.runnables import Runnable, RunnableLambda

from companion.core.errors import ConfigurationError, InputError, ProviderError
from companion.core.grounding import split_cited_sentences
from companion.core.schemas import Answer, SessionRef, Verification
from companion.core.text import strip_invisible
from companion.features.ask.confidence import ADAPTED_WEIGHTS_FILE, WEIGHTS_FILE, load_confidence
from companion.features.ask.extractive import ExtractiveGenerator
from companion.features.people.identities import Identities
from companion.llm.streaming import SentenceEvent
from companion.retrieval.context import Context
from companion.retrieval.hybrid import Retrieval, SearchFilters

if TYPE_CHECKING:
    from companion.features.ask.llm import LLMGenerator

NOT_COVERED = "The sessions don't cover this question."
GENERATORS = ("extractive", "llm")


class AnswerService:
    """Answers questions from what colleagues said, or says plainly that it cannot.

    Args:
        ctx: stores and models.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        cfg = ctx.settings.retrieval
        learned = cfg.fusion == "learned"
        self.extractive = ExtractiveGenerator(
            ctx.catalog,
            cfg.answer_chunks,
            cfg.answer_min_relative if learned else 0.0,
            cfg.answer_min_session if learned else 0.0,
        )
        self._llm: LLMGenerator | None = None

    def as_runnable(self) -> Runnable[str, Answer]:
        """The service as a LangChain `Runnable`: `invoke(question)` returns an `Answer`.

        It composes with other runnables (`retriever | ...` chains, `.batch`, callbacks).
        """
        return RunnableLambda(lambda question: self.ask(question), name="companion-ask")

    def ask(
        self, question: str, filters: SearchFilters | None = None, generator: str | None = None
    ) -> Answer:
        """A cited answer, or an abstention naming the nearest sessions.

        Args:
            question: what the user asked.
            filters: which sessions to answer from.
            generator: `extractive` or `llm`; default: `llm` when an LLM provider is configured.
        """
        return self._identify(self._ask(question, filters, generator))

    def _ask(
        self, question: str, filters: SearchFilters | None, generator: str | None
    ) -> Answer:
        use_llm = self.generator_for(generator) == "llm"
        retrieval = self.retrieve(question, filters)
        confidence, covered = self.assess(retrieval)
        answer: Answer | None = None
        if use_llm and covered:
            answer = _last(self._llm_stream(retrieval))
        elif covered:
            answer = self.ctx.verifier.verify(self.extractive.compose(retrieval))
            if not answer.citations:
                answer = None
        answer = answer or self.abstain(retrieval)
        return answer.model_copy(update={"confidence": confidence})

    def stream(
        self, question: str, filters: SearchFilters | None = None, generator: str | None = None
    ) -> Iterator[SentenceEvent | Answer]:
        """Verified sentences as they are ready, then the whole `Answer` (as `ask` returns it).

        Only the `llm` generator produces sentences over time; extractive answers and
        abstentions come at once. Every `SentenceEvent` belongs to the final answer, with
        citation numbers into its `citations`.
        """
        if self.generator_for(generator) == "llm":
            retrieval = self.retrieve(question, filters)
            confidence, covered = self.assess(retrieval)
            if covered:
                for item in self._llm_stream(retrieval):
                    if isinstance(item, Answer):
                        item = self._identify(item.model_copy(update={"confidence": confidence}))
                    yield item
                return
            answer = self._identify(
                self.abstain(retrieval).model_copy(update={"confidence": confidence})
            )
        else:
            answer = self.ask(question, filters, "extractive")
        yield from sentence_events(answer)
        yield answer

    def _identify(self, answer: Answer) -> Answer:
        """Each citation keeps the speaker label as spoken and gains the person it names."""
        identities = Identities(self.ctx.catalog)
        for citation in answer.citations:
            if citation.speaker and citation.session_id:
                citation.person_id = identities.person_id(citation.speaker, citation.session_id)
        return answer

    def generator_for(self, generator: str | None) -> str:
        """The generator to use: the one asked for, or the one the settings imply."""
        provider = self.ctx.settings.llm.provider
        if generator is None:
            return "extractive" if provider == "extractive" else "llm"
        if generator not in GENERATORS:
            raise InputError(f"unknown generator '{generator}'; expected extractive or llm")
        if generator == "llm" and provider == "extractive":
            raise ConfigurationError(
                "the llm generator needs a model: set COMPANION_LLM__PROVIDER to openai, "
                "anthropic, ollama or local"
            )
        return generator

    def retrieve(self, question: str, filters: SearchFilters | None) -> Retrieval:
        """Retrieval for a cleaned, length-checked question."""
        # Zero-width characters alone are not a question (and split no words within one).
        question = " ".join(strip_invisible(question).split())
        if not question:
            raise InputError("the question is empty")
        limit = self.ctx.settings.api.max_question_chars
        if len(question) > limit:
            raise InputError(f"the question is {len(question)} characters; the limit is {limit}")
        return self.ctx.retriever.retrieve(question, filters)

    @property
    def llm(self) -> LLMGenerator:
        """The LLM generator (the chat model is created on first use)."""
        if self._llm is None:
            from companion.features.ask.llm import make_llm_generator

            self._llm = make_llm_generator(self.ctx)
        return self._llm

    def _llm_stream(self, retrieval: Retrieval) -> Iterator[SentenceEvent | Answer]:
        minimum = self.ctx.settings.llm.min_supported_sentences
        draft: Answer | None = None
        try:
            for item in self.llm.stream(retrieval):
                if isinstance(item, Answer):
                    draft = item
                else:
                    yield item
        except ProviderError as exc:
            why = f"The language model is unavailable ({exc.detail})"
            yield from self._fallback(retrieval, why)
            return
        assert draft is not None
        verification = draft.verification or Verification()
        if draft.abstained and draft.answer == "NOT COVERED":
            answer = self.abstain(retrieval)
            yield answer.model_copy(update={
                "generator": "llm", "verification": verification,
                "notice": "The model found no answer to this question in the retrieved passages.",
            })
        elif verification.kept < minimum:
            total = verification.kept + verification.dropped
            yield from self._fallback(
                retrieval,
                f"The model's answer could not be verified against the sessions "
                f"({verification.kept} of {total} sentences supported)",
                verification,
            )
        else:
            yield draft

    def _fallback(
        self, retrieval: Retrieval, why: str, llm: Verification | None = None
    ) -> Iterator[SentenceEvent | Answer]:
        answer = self.ctx.verifier.verify(self.extractive.compose(retrieval))
        if not answer.citations:
            answer = self.abstain(retrieval)
        notice = f"{why}; this answer is made of quotes from the sessions instead."
        verification = answer.verification or Verification()
        if llm is not None:  # what the model wrote and why it was removed stays visible
            verification = Verification(
                kept=verification.kept,
                dropped=verification.dropped + llm.dropped,
                reasons={
                    k: verification.reasons.get(k, 0) + llm.reasons.get(k, 0)
                    for k in {*verification.reasons, *llm.reasons}
                },
                dropped_sentences=[*llm.dropped_sentences, *verification.dropped_sentences],
            )
        answer = answer.model_copy(update={"notice": notice, "verification": verification})
        yield from sentence_events(answer)
        yield answer

    def assess(self, retrieval: Retrieval) -> tuple[float | None, bool]:
        """The answer's calibrated confidence and whether the sessions cover the question.

        Confidence is P(an answer cites the right moment). With learned fusion and its
        confidence model: covered when P(on topic) reaches the threshold fitted with it (or the
        configured `confidence_threshold`), or a passage is as close as `answer_similarity` (the
        model was fitted on meetings; a small corpus of another kind can read as off topic).
        Without: confidence None, and covered when the best cosine reaches `abstain_threshold`.
        """
        if not retrieval.chunks:
            return None, False
        cfg = self.ctx.settings.retrieval
        weights = ADAPTED_WEIGHTS_FILE if cfg.query_adapter else WEIGHTS_FILE
        model = load_confidence(weights) if cfg.fusion == "learned" else None
        if model is None or retrieval.chunks[0].probability is None:
            return None, retrieval.best_similarity >= cfg.abstain_threshold
        confidence, on_topic = model.assess(retrieval)  # the features are computed once
        threshold = model.threshold if cfg.confidence_threshold is None \
            else cfg.confidence_threshold
        covered = on_topic >= threshold or retrieval.best_similarity >= cfg.answer_similarity
        return round(confidence, 4), covered

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


def sentence_events(answer: Answer) -> Iterator[SentenceEvent]:
    """A finished answer's sentences as events (nothing for an abstention)."""
    if answer.abstained:
        return
    for index, (text, markers) in enumerate(split_cited_sentences(answer.answer)):
        yield SentenceEvent(index=index, text=text, citations=markers)


def _last(items: Iterator[SentenceEvent | Answer]) -> Answer:
    final: Answer | None = None
    for item in items:
        if isinstance(item, Answer):
            final = item
    assert final is not None
    return final
