"""LLM-assisted answers: numbered passages -> chat model -> cited sentences -> verifier.

The model sees the retrieved chunks as numbered, escaped `<passage>` elements and cites them as
`[n]`. Each sentence it writes becomes a citation of the cited passage's sentence (or pair of
sentences) that best matches it, quoted verbatim from the stored turn, and is kept only when the
`GroundingVerifier` finds the quote supports it. Sentences are verified as they stream in, so
nothing unsupported is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

from companion.core.errors import ProviderError
from companion.core.grounding import GroundingVerifier, normalise
from companion.core.schemas import Answer, Citation, DroppedSentence, Verification
from companion.core.terms import content_terms
from companion.features.ask.quotes import NO_QUOTE, QuotePicker, render_passages
from companion.llm.client import ChatClient
from companion.llm.prompts import PromptTemplate, load_prompt
from companion.llm.streaming import CitedSentence, SentenceEvent, SentenceSplitter, says_not_covered
from companion.retrieval.hybrid import Retrieval, RetrievedChunk
from companion.storage.catalog import Catalog

if TYPE_CHECKING:
    from companion.retrieval.context import Context


@dataclass
class _Outcome:
    kept: list[tuple[str, list[int]]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    verification: Verification = field(default_factory=Verification)
    seen: set[str] = field(default_factory=set)

    def drop(self, sentence: str, reason: str) -> None:
        key = reason.split(" (")[0]
        self.verification.dropped += 1
        self.verification.reasons[key] = self.verification.reasons.get(key, 0) + 1
        self.verification.dropped_sentences.append(
            DroppedSentence(sentence=sentence, reason=reason)
        )

    def keep(self, text: str, cited: list[Citation]) -> SentenceEvent:
        numbers: list[int] = []
        for c in cited:
            if c not in self.citations:
                self.citations.append(c)
            n = self.citations.index(c) + 1
            if n not in numbers:
                numbers.append(n)
        self.kept.append((text, numbers))
        self.verification.kept += 1
        return SentenceEvent(index=len(self.kept) - 1, text=text, citations=numbers)

    def answer(self, question: str, notice: str | None = None) -> Answer:
        text = " ".join(f"{t} {''.join(f'[{n}]' for n in ns)}".strip() for t, ns in self.kept)
        return Answer(
            question=question, answer=text, abstained=not self.kept, citations=self.citations,
            generator="llm", verification=self.verification, notice=notice,
        )


class LLMGenerator:
    """Answers from retrieved passages with a chat model, keeping only verified sentences.

    Args:
        catalog: where quotes are read from.
        client: the chat model behind retries.
        verifier: a `GroundingVerifier` (with embeddings: paraphrases must be close in meaning).
        passages: retrieved chunks shown to the model.
        min_supported: verified sentences needed before any is released.
        attribute_uncited: give a sentence the model left uncited the passage that supports
            it, if one does (it is dropped otherwise); sentences the model did cite are never
            moved to another passage.
        template: the answer prompt (default `prompts/answer.md`).
    """

    name = "llm"

    def __init__(
        self,
        catalog: Catalog,
        client: ChatClient,
        verifier: GroundingVerifier,
        passages: int = 5,
        min_supported: int = 1,
        attribute_uncited: bool = True,
        template: PromptTemplate | None = None,
    ) -> None:
        self.catalog = catalog
        self.client = client
        self.verifier = verifier
        self.passages = passages
        self.min_supported = max(1, min_supported)
        self.attribute_uncited = attribute_uncited
        self.template = template or load_prompt("answer")

    def messages(self, question: str, chunks: list[RetrievedChunk]) -> list[BaseMessage]:
        """The prompt: fixed system instructions; passages and question as user data."""
        return self.template.messages(passages=render_passages(chunks), question=question)

    def compose(self, retrieval: Retrieval) -> Answer:
        """The verified answer (see `stream`)."""
        final: Answer | None = None
        for item in self.stream(retrieval):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, retrieval: Retrieval) -> Iterator[SentenceEvent | Answer]:
        """Verified sentences as the model writes them, then the whole `Answer`.

        The answer is `abstained` when the model said NOT COVERED or no sentence survived;
        `verification` counts what was kept and dropped, and why.

        Raises:
            ProviderError: the model failed before any sentence was released.
        """
        chunks = retrieval.chunks[: self.passages]
        picker = QuotePicker(self.catalog, chunks, self.verifier.embeddings)
        outcome = _Outcome()
        pending: list[SentenceEvent] = []
        splitter = SentenceSplitter()
        notice: str | None = None
        not_covered = False
        pieces = self.client.stream_text(self.messages(retrieval.question, chunks))
        try:
            for piece in pieces:
                if not outcome.kept and says_not_covered(splitter.text + piece):
                    not_covered = True
                    break
                for sentence in splitter.feed(piece):
                    pending += self._check(sentence, retrieval.question, chunks, picker, outcome)
                    if len(outcome.kept) >= self.min_supported:
                        yield from pending
                        pending = []
        except ProviderError as exc:
            if len(outcome.kept) < self.min_supported:
                raise
            notice = f"The model stopped before finishing; this answer may be incomplete ({exc})."
        finally:
            pieces.close()  # stops a local model's generation thread, closes an HTTP stream
        if not_covered:
            yield self._not_covered(retrieval.question, outcome)
            return
        for sentence in splitter.flush():
            pending += self._check(sentence, retrieval.question, chunks, picker, outcome)
        if len(outcome.kept) >= self.min_supported:
            yield from pending
        yield outcome.answer(retrieval.question, notice)

    def _not_covered(self, question: str, outcome: _Outcome) -> Answer:
        answer = outcome.answer(question)
        return answer.model_copy(update={"answer": "NOT COVERED", "abstained": True})

    def _check(
        self,
        sentence: CitedSentence,
        question: str,
        chunks: list[RetrievedChunk],
        picker: QuotePicker,
        outcome: _Outcome,
    ) -> list[SentenceEvent]:
        """Verify one model sentence; keep it (an event) or record why it was dropped."""
        key = normalise(sentence.text)
        if not content_terms(sentence.text):
            outcome.drop(sentence.text, "says nothing that can be checked")
            return []
        if key in outcome.seen:
            outcome.drop(sentence.text, "repeats an earlier sentence")
            return []
        outcome.seen.add(key)
        in_range = [n for n in sentence.passages if 1 <= n <= len(chunks)]
        vector = None
        if (in_range or self.attribute_uncited) and self.verifier.embeddings is not None:
            vector = self.verifier.embeddings.embed_many([sentence.text])[0]
        if not sentence.passages and self.attribute_uncited:
            return self._attribute(sentence, question, chunks, picker, vector, outcome)
        # Citations aligned with passage numbers, so the verifier sees the model's own markers
        # and names a number that points at no passage as it was written.
        best = {n: picker.best(sentence.text, n, vector) for n in in_range}
        aligned = [best.get(n, NO_QUOTE) for n in range(1, len(chunks) + 1)]
        marks = "".join(f"[{n}]" for n in sentence.passages)
        draft = Answer(
            question=question, answer=f"{sentence.text} {marks}".strip(), abstained=False,
            citations=aligned,
        )
        checks = self.verifier.check(draft)
        if len(checks) != 1 or not checks[0].supported:
            reason = checks[0].reason if len(checks) == 1 else "could not be read as one sentence"
            outcome.drop(sentence.text, reason)
            return []
        cited = [best[n] for n in in_range if self.verifier.citation_is_valid(best[n])]
        echo = self._echo(sentence.text, question, [c.quote for c in cited], checks[0].reason)
        if echo:
            outcome.drop(sentence.text, echo)
            return []
        return [outcome.keep(sentence.text, cited)]

    def _echo(self, sentence: str, question: str, quotes: list[str], reason: str) -> str | None:
        """Why a sentence that passed only restates the question, or None when it does not.

        Words taken from the question match the retrieved passages by construction, so a
        sentence that echoes the question and adds a claim of its own can pass the verifier;
        the words it adds must be in the quote too.
        """
        if reason == "verbatim":
            return None
        added = set(content_terms(sentence)) - set(content_terms(question))
        if not added:
            return None
        found = added & set(content_terms(" ".join(quotes)))
        share = len(found) / len(added)
        if share >= self.verifier.min_term_recall:
            return None
        return (
            "restates the question; what it adds is not in the cited passage "
            f"(overlap {share:.2f})"
        )

    def _attribute(
        self,
        sentence: CitedSentence,
        question: str,
        chunks: list[RetrievedChunk],
        picker: QuotePicker,
        vector: Any,
        outcome: _Outcome,
    ) -> list[SentenceEvent]:
        """An uncited sentence: kept only if some passage's best quote supports it."""
        for n in range(1, len(chunks) + 1):
            citation = picker.best(sentence.text, n, vector)
            if not citation.quote or not self.verifier.citation_is_valid(citation):
                continue
            ok, reason = self.verifier.supports(sentence.text, [citation.quote])
            if ok and not self._echo(sentence.text, question, [citation.quote], reason):
                return [outcome.keep(sentence.text, [citation])]
        outcome.drop(sentence.text, "no citation, and no passage supports it")
        return []


def make_llm_generator(ctx: Context) -> LLMGenerator:
    """The LLM generator for the configured provider, verifying with the embedding model.

    Raises:
        ConfigurationError: no usable provider (unknown, `extractive`, or its extra missing).
    """
    from companion.llm.registry import make_chat_model

    cfg = ctx.settings.llm
    verifier = GroundingVerifier(
        ctx.catalog,
        embeddings=ctx.embeddings,
        min_term_recall=cfg.min_term_recall,
        min_similarity=cfg.min_similarity,
    )
    return LLMGenerator(
        ctx.catalog,
        ChatClient(make_chat_model(ctx.settings), cfg),
        verifier,
        passages=ctx.settings.retrieval.answer_chunks,
        min_supported=cfg.min_supported_sentences,
        attribute_uncited=cfg.attribute_uncited,
    )
