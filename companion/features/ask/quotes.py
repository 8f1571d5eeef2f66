"""What an LLM answer cites: the passages the model reads, and the quote behind each sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.core.grounding import normalise
from companion.core.schemas import Citation
from companion.core.terms import content_terms
from companion.core.text import clock, split_sentences
from companion.features.ask.extractive import citation_for
from companion.llm.prompts import data_element
from companion.retrieval.hybrid import RetrievedChunk
from companion.storage.catalog import Catalog

NO_QUOTE = Citation(  # an answer sentence whose passage number points at nothing
    session_id="", session_title="", speaker=None, start=None, end=None,
    turn_start=-1, turn_end=-1, quote="",
)


def render_passages(chunks: list[RetrievedChunk]) -> str:
    """The chunks as numbered, delimited, escaped `<passage>` elements."""
    return "\n".join(
        data_element(
            "passage", n, c.text,
            session=c.session_title, speaker=", ".join(c.speakers) or None,
            time=clock(c.start) or None,
        )
        for n, c in enumerate(chunks, 1)
    )


@dataclass
class _Candidate:
    citation: Citation
    terms: set[str]


class QuotePicker:
    """For an answer sentence and a passage, the passage's best-matching verbatim quote.

    Candidates are each sentence of the passage's turns and each pair of neighbouring sentences
    in one turn; the best covers most of the answer sentence's content terms and is closest in
    meaning (embeddings of a passage's candidates are computed once, on first use).
    """

    def __init__(self, catalog: Catalog, chunks: list[RetrievedChunk], embeddings: Any) -> None:
        self.catalog = catalog
        self.chunks = chunks
        self.embeddings = embeddings
        self._candidates: dict[int, list[_Candidate]] = {}
        self._vectors: dict[int, Any] = {}

    def candidates(self, number: int) -> list[_Candidate]:
        """Quotable sentences (and sentence pairs) of passage `number` (1-based)."""
        if number not in self._candidates:
            chunk = self.chunks[number - 1]
            cands: list[_Candidate] = []
            for turn in self.catalog.turns(chunk.session_id, chunk.turn_start, chunk.turn_end):
                sentences = split_sentences(turn.text)
                pairs = zip(sentences, sentences[1:], strict=False)
                windows = sentences + [f"{a} {b}" for a, b in pairs]
                for quote in windows:
                    if normalise(quote) in normalise(turn.text):
                        cite = citation_for(chunk, turn, quote)
                        cands.append(_Candidate(cite, set(content_terms(quote))))
            self._candidates[number] = cands
        return self._candidates[number]

    def best(self, sentence: str, number: int, sentence_vector: Any = None) -> Citation:
        """The citation of passage `number` that best supports `sentence`."""
        cands = self.candidates(number)
        if not cands:
            return NO_QUOTE
        terms = set(content_terms(sentence))
        scores = [len(terms & c.terms) / max(1, len(terms)) for c in cands]
        if self.embeddings is not None and sentence_vector is not None:
            if number not in self._vectors:
                self._vectors[number] = self.embeddings.embed_many(
                    [c.citation.quote for c in cands]
                )
            sims = self._vectors[number] @ sentence_vector
            scores = [s + float(v) for s, v in zip(scores, sims, strict=True)]
        # Ties go to the shorter quote: it says exactly what supports the sentence.
        best = max(range(len(cands)), key=lambda i: (scores[i], -len(cands[i].citation.quote)))
        return cands[best].citation
