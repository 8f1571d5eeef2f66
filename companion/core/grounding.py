"""The one definition of "grounded", shared by the service and the evals.

A citation is valid when its quote occurs (modulo whitespace and case) in the turns it points
at. An answer sentence is supported when a valid cited quote contains it, or when the quote
covers enough of its content terms (and, with an embedding model, is close in meaning).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from companion.core.schemas import Answer, Citation, DroppedSentence, Evidence, Turn, Verification
from companion.core.terms import content_terms
from companion.core.text import normalise

__all__ = ["GroundingVerifier", "TurnSource", "normalise", "split_cited_sentences"]

_MARKER = re.compile(r"\[(\d+)\]")
_SEGMENT = re.compile(r".+?(?:(?:\s*\[\d+\])+|$)", re.S)


class TurnSource(Protocol):
    """Where cited turns are read from (the catalog)."""

    def turns(self, session_id: str, start: int, end: int) -> Sequence[Turn]:
        """The turns `start..end` of a session."""
        ...


@dataclass
class SentenceCheck:
    """The verdict on one answer sentence."""

    sentence: str
    markers: list[int]
    supported: bool
    reason: str = ""


def split_cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences, each with the citation numbers that follow it."""
    out: list[tuple[str, list[int]]] = []
    for seg in _SEGMENT.findall(answer):
        markers = [int(m) for m in _MARKER.findall(seg)]
        text = _MARKER.sub("", seg).strip()
        if text:
            out.append((text, markers))
    return out


class GroundingVerifier:
    """Checks citations against the stored turns and sentences against their citations.

    Args:
        catalog: where the cited turns are read from.
        embeddings: optional; when given, paraphrases must also be close in meaning.
        min_term_recall: share of a sentence's content terms its quotes must contain.
        min_similarity: cosine a paraphrase must reach with its quotes (with embeddings).
    """

    def __init__(
        self,
        catalog: TurnSource,
        embeddings: Any = None,
        min_term_recall: float = 0.6,
        min_similarity: float = 0.6,
    ) -> None:
        self.catalog = catalog
        self.embeddings = embeddings
        self.min_term_recall = min_term_recall
        self.min_similarity = min_similarity

    def citation_is_valid(self, citation: Citation | Evidence) -> bool:
        """True when the quote occurs in the cited turns of the cited session."""
        quote = normalise(citation.quote)
        if not quote:
            return False
        turns = self.catalog.turns(citation.session_id, citation.turn_start, citation.turn_end)
        if not turns or (citation.speaker and citation.speaker not in {t.speaker for t in turns}):
            return False
        return quote in normalise(" ".join(t.text for t in turns))

    def supports(self, sentence: str, quotes: Sequence[str]) -> tuple[bool, str]:
        """Whether the quotes support the sentence, and if not, why."""
        if not quotes:
            return False, "no valid citation"
        sent = normalise(sentence).rstrip(".!?")
        joined = normalise(" ".join(quotes))
        if sent and sent in joined:
            return True, "verbatim"
        terms = set(content_terms(sentence))
        if not terms:
            return True, "no content to check"
        covered = len(terms & set(content_terms(joined))) / len(terms)
        if covered < self.min_term_recall:
            return False, f"not supported by the cited passage (term overlap {covered:.2f})"
        if self.embeddings is not None:
            vecs = self.embeddings.embed_many([sentence, " ".join(quotes)])
            sim = float(vecs[0] @ vecs[1])
            if sim < self.min_similarity:
                return False, f"not supported by the cited passage (similarity {sim:.2f})"
        return True, f"term overlap {covered:.2f}"

    def check(self, answer: Answer) -> list[SentenceCheck]:
        """A verdict per answer sentence, without changing the answer."""
        valid = {i + 1: self.citation_is_valid(c) for i, c in enumerate(answer.citations)}
        checks: list[SentenceCheck] = []
        for sentence, markers in split_cited_sentences(answer.answer):
            if not markers:
                checks.append(SentenceCheck(sentence, markers, False, "no citation"))
                continue
            missing = [m for m in markers if m not in valid]
            if missing:
                checks.append(
                    SentenceCheck(
                        sentence, markers, False, f"cites [{missing[0]}], which does not exist"
                    )
                )
                continue
            quotes = [answer.citations[m - 1].quote for m in markers if valid[m]]
            if not quotes:
                checks.append(
                    SentenceCheck(sentence, markers, False, "quote not found in the cited turns")
                )
                continue
            ok, reason = self.supports(sentence, quotes)
            checks.append(SentenceCheck(sentence, markers, ok, reason))
        return checks

    def verify(self, answer: Answer) -> Answer:
        """Keep supported sentences and their citations; renumber; record what was dropped."""
        checks = self.check(answer)
        kept = [c for c in checks if c.supported]
        verification = Verification(kept=len(kept), dropped=len(checks) - len(kept))
        for c in checks:
            if not c.supported:
                key = c.reason.split(" (")[0]
                verification.reasons[key] = verification.reasons.get(key, 0) + 1
                verification.dropped_sentences.append(
                    DroppedSentence(sentence=c.sentence, reason=c.reason)
                )
        renumber: dict[int, int] = {}
        citations: list[Citation] = []
        parts: list[str] = []
        for c in kept:
            marks = []
            for m in c.markers:
                if (
                    m not in renumber
                    and m <= len(answer.citations)
                    and self.citation_is_valid(answer.citations[m - 1])
                ):
                    citations.append(answer.citations[m - 1])
                    renumber[m] = len(citations)
                if m in renumber:
                    marks.append(f"[{renumber[m]}]")
            parts.append(f"{c.sentence} {''.join(marks)}".strip())
        return answer.model_copy(
            update={"answer": " ".join(parts), "citations": citations, "verification": verification}
        )
