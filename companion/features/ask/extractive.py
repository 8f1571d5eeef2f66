"""The offline default: an answer made only of retrieved sentences, each cited."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from companion.core.schemas import Answer, Citation, Turn
from companion.core.terms import content_terms
from companion.core.text import split_sentences
from companion.retrieval.hybrid import Retrieval, RetrievedChunk
from companion.storage.catalog import Catalog

MIN_WORDS = 5


@dataclass
class Candidate:
    """A sentence of a retrieved turn, scored against the question."""

    chunk: RetrievedChunk
    rank: int
    turn: Turn
    text: str
    terms: frozenset[str]
    score: float = 0.0


def citation_for(chunk: RetrievedChunk, turn: Turn, quote: str) -> Citation:
    """A citation of a quote from one turn of a retrieved chunk."""
    return Citation(
        session_id=chunk.session_id,
        session_title=chunk.session_title,
        speaker=turn.speaker,
        start=turn.start,
        end=turn.end,
        turn_start=turn.index,
        turn_end=turn.index,
        quote=quote,
    )


class ExtractiveGenerator:
    """Picks the sentences of the best chunks that answer the question, one per chunk.

    Args:
        catalog: where the chunks' turns are read from.
        max_sentences: sentences (and citations) in an answer.
    """

    name = "extractive"

    def __init__(self, catalog: Catalog, max_sentences: int = 5) -> None:
        self.catalog = catalog
        self.max_sentences = max_sentences

    def candidates(self, retrieval: Retrieval) -> list[Candidate]:
        """Sentences of the top chunks' turns, scored by weighted term overlap and rank."""
        cands: list[Candidate] = []
        for rank, chunk in enumerate(retrieval.chunks[: self.max_sentences * 2]):
            for turn in self.catalog.turns(chunk.session_id, chunk.turn_start, chunk.turn_end):
                for sentence in split_sentences(turn.text):
                    # A question restated is not an answer, however well it matches.
                    if len(sentence.split()) >= MIN_WORDS and not _is_question(sentence):
                        cands.append(
                            Candidate(
                                chunk, rank, turn, sentence, frozenset(content_terms(sentence))
                            )
                        )
        q_terms = set(content_terms(retrieval.question))
        df = Counter(t for c in cands for t in c.terms & q_terms)
        n = max(1, len(cands))
        weights = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
        total = sum(weights.values()) or 1.0
        for c in cands:
            overlap = sum(weights[t] for t in c.terms & q_terms) / total
            length = min(1.0, len(c.text.split()) / 12)
            c.score = overlap + 0.15 * length + 0.3 / (1 + c.rank)
        return cands

    def compose(self, retrieval: Retrieval) -> Answer:
        """An answer of the best sentence from each of the best chunks, in chunk order."""
        best: dict[str, Candidate] = {}
        for c in self.candidates(retrieval):
            if c.chunk.id not in best or c.score > best[c.chunk.id].score:
                best[c.chunk.id] = c
        chosen: list[Candidate] = []
        for c in sorted(best.values(), key=lambda c: c.rank):
            if any(_similar(c.terms, o.terms) for o in chosen):
                continue
            chosen.append(c)
            if len(chosen) == self.max_sentences:
                break
        citations = [citation_for(c.chunk, c.turn, c.text) for c in chosen]
        text = " ".join(f"{c.text} [{i}]" for i, c in enumerate(chosen, 1))
        return Answer(
            question=retrieval.question,
            answer=text,
            abstained=not chosen,
            citations=citations,
            generator=self.name,
        )


def _is_question(sentence: str) -> bool:
    return sentence.rstrip("\"'”’)] ").endswith("?")


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) > 0.7
