"""The offline default: an answer made only of retrieved sentences, each cited.

Sentences come from the best chunks (with learned fusion: only chunks whose probability is near
the best one's), one per chunk. A sentence scores by the question terms it holds, its length,
its chunk's score, and whether it replies to the question: when a turn asks (nearly) the user's
question, the next turns by someone else are the reply and are preferred even when they share
no words with it. Filler (too few content words) and housekeeping (thanks, greetings, logistics)
are not quoted. Citations are grouped by session, in turn order within each.
"""

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
MIN_CONTENT_TERMS = 3
REPLY_MATCH = 0.4  # share of the question's term weight a turn's question must hold
REPLY_TURNS = 2  # turns after an asked question that count as its reply
REPLY_BONUS = 0.25
# Within a reply every sentence inherits the same match; its own overlap with the question
# breaks the tie (else the reply's first sentence wins, often an opener that says nothing).
# Neutral on QMSum train (evals/results/tune_citations.json); the samples' demo answer lost
# its filler sentence.
REPLY_OVERLAP = 1.0
# Stems of meeting housekeeping: sentences made mostly of these say nothing about a topic.
HOUSEKEEPING = frozenset(
    content_terms(
        "thank thanks welcome hello hi morning afternoon evening everyone everybody "
        "recording record slide slides minute minutes break lunch coffee came come coming "
        "people attend attended joined microphone mic hear see next today agenda item start "
        "started finish finished end time late sorry bye goodbye nice good great cheers send "
        "email mail share shared put"
    )
)


@dataclass
class Candidate:
    """A sentence of a retrieved turn, scored against the question."""

    chunk: RetrievedChunk
    rank: int
    turn: Turn
    text: str
    terms: frozenset[str]
    score: float = 0.0
    reply: float = 0.0
    overlap: float = 0.0


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


def is_filler(terms: frozenset[str], q_terms: set[str]) -> bool:
    """Too few content words, or mostly housekeeping and nothing the question asks about."""
    if len(terms) < MIN_CONTENT_TERMS:
        return True
    return not (terms & q_terms) and len(terms & HOUSEKEEPING) * 2 >= len(terms)


class ExtractiveGenerator:
    """Picks the sentences of the best chunks that answer the question, one per chunk.

    Args:
        catalog: where the chunks' turns are read from.
        max_sentences: sentences (and citations) in an answer.
        min_relative: with learned fusion, chunks whose probability is below this share of the
            best chunk's are not quoted.
        min_session: with learned fusion, chunks of sessions holding less than this share of
            the best session's probability mass (over the chunks considered) are not quoted.
        per_chunk: sentences quoted from one chunk at most (best first).
        pool: how many of the best chunks are considered (default twice `max_sentences`).
        require_match: quote only sentences that share a term with the question or reply to
            it being asked (a chunk with none is skipped: the next chunk gets its place).
        reply_overlap: weight of a reply sentence's own overlap with the question, added to
            the match it inherits (all sentences of a reply inherit the same match: without
            it, the reply's first sentence wins, often a discourse opener that says nothing).
        by_probability: quote the chunks in order of probability (default) rather than in
            retrieval's order, which diversifies its first places.
    """

    name = "extractive"

    def __init__(
        self,
        catalog: Catalog,
        max_sentences: int = 5,
        min_relative: float = 0.0,
        min_session: float = 0.0,
        per_chunk: int = 1,
        pool: int | None = None,
        require_match: bool = False,
        reply_overlap: float = REPLY_OVERLAP,
        by_probability: bool = True,
    ) -> None:
        self.catalog = catalog
        self.max_sentences = max_sentences
        self.min_relative = min_relative
        self.min_session = min_session
        self.per_chunk = per_chunk
        self.pool = pool if pool is not None else max_sentences * 2
        self.require_match = require_match
        self.reply_overlap = reply_overlap
        self.by_probability = by_probability

    def _chunks(self, retrieval: Retrieval) -> list[tuple[int, RetrievedChunk, float]]:
        # By probability, not retrieval's diversified order: neighbours of the best chunk often
        # hold the same evidence, and quoting them keeps citations precise (QMSum train:
        # diversified quoting cost 0.178 -> 0.140 citation precision for +0.006 answer hit).
        chunks = list(retrieval.chunks)
        if self.by_probability:
            chunks.sort(key=lambda c: -(c.probability or 0.0))  # stable: RRF order without
        chunks = chunks[: self.pool]
        top = chunks[0].probability if chunks else None
        mass: dict[str, float] = {}
        for c in chunks:
            mass[c.session_id] = mass.get(c.session_id, 0.0) + (c.probability or 0.0)
        top_mass = max(mass.values(), default=0.0)
        out = []
        for rank, chunk in enumerate(chunks):
            if top and chunk.probability is not None:
                rel = chunk.probability / top
                if rel < self.min_relative or mass[chunk.session_id] < self.min_session * top_mass:
                    continue
            else:
                rel = 1.0 / (1 + rank)
            out.append((rank, chunk, rel))
        return out

    def candidates(self, retrieval: Retrieval) -> list[Candidate]:
        """Sentences of the top chunks' turns, scored by term overlap, rank and reply."""
        q_terms = set(content_terms(retrieval.question))
        cands: list[Candidate] = []
        rel_of: dict[str, float] = {}
        asked: list[tuple[Candidate, frozenset[str]]] = []
        for rank, chunk, rel in self._chunks(retrieval):
            rel_of[chunk.id] = rel
            turns = self.catalog.turns(chunk.session_id, chunk.turn_start - 1, chunk.turn_end)
            questions: list[tuple[int, str | None, frozenset[str]]] = []
            for turn in turns:
                for sentence in split_sentences(turn.text):
                    terms = frozenset(content_terms(sentence))
                    if _is_question(sentence):
                        questions.append((turn.index, turn.speaker, terms))
                        continue  # a question restated is not an answer
                    if turn.index < chunk.turn_start or len(sentence.split()) < MIN_WORDS:
                        continue
                    if is_filler(terms, q_terms):
                        continue
                    cand = Candidate(chunk, rank, turn, sentence, terms)
                    cands.append(cand)
                    for index, speaker, q in questions:
                        if 0 < turn.index - index <= REPLY_TURNS and turn.speaker != speaker:
                            asked.append((cand, q))
        df = Counter(t for c in cands for t in c.terms & q_terms)
        n = max(1, len(cands))
        weights = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
        total = sum(weights.values()) or 1.0
        for cand, q in asked:
            match = sum(weights[t] for t in q & q_terms) / total
            if match >= REPLY_MATCH:
                cand.reply = max(cand.reply, match)
        for c in cands:
            c.overlap = sum(weights[t] for t in c.terms & q_terms) / total
            length = min(1.0, len(c.text.split()) / 12)
            # A reply answers what was asked: it inherits the question's match, and a bonus.
            matched = max(c.overlap, c.reply) + (
                REPLY_BONUS + self.reply_overlap * c.overlap if c.reply else 0.0
            )
            c.score = matched + 0.15 * length + 0.3 * rel_of[c.chunk.id]
        return cands

    def compose(self, retrieval: Retrieval) -> Answer:
        """An answer of the best sentences of the best chunks, grouped by session."""
        by_chunk: dict[str, list[Candidate]] = {}
        for c in self.candidates(retrieval):
            if self.require_match and not (c.overlap or c.reply):
                continue
            by_chunk.setdefault(c.chunk.id, []).append(c)
        ranked = sorted(by_chunk.values(), key=lambda cs: cs[0].rank)
        chosen: list[Candidate] = []
        for cands in ranked:
            taken = 0
            for c in sorted(cands, key=lambda c: -c.score):
                if taken == self.per_chunk or len(chosen) == self.max_sentences:
                    break
                if any(_similar(c.terms, o.terms) for o in chosen):
                    continue
                chosen.append(c)
                taken += 1
        session_order = {
            s: i for i, s in enumerate(dict.fromkeys(c.chunk.session_id for c in chosen))
        }
        chosen.sort(key=lambda c: (session_order[c.chunk.session_id], c.turn.index))
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
