"""Choosing the 1-3 verbatim sentences that show why a person is suggested."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from companion.core.framing import is_framing
from companion.core.grounding import GroundingVerifier
from companion.core.housekeeping import is_housekeeping
from companion.core.schemas import Evidence
from companion.core.terms import content_terms
from companion.core.text import split_sentences
from companion.features.peers.evidence import Attribution
from companion.storage.embeddings import SentenceTransformerEmbeddings

MIN_WORDS = 5
TURNS_CONSIDERED = 4


@dataclass
class _Sentence:
    attribution: Attribution
    text: str
    terms: frozenset[str]
    score: float = 0.0


def pick_quotes(
    attributions: Sequence[Attribution],
    topic_vector: Sequence[float],
    embeddings: SentenceTransformerEmbeddings,
    verifier: GroundingVerifier,
    max_quotes: int,
) -> list[Evidence]:
    """The most relevant sentences of a person's best turns, one per turn where possible.

    Every quote is a sentence of the stored turn, checked with the `GroundingVerifier`; one
    that does not verify is never returned.
    """
    best = sorted((a for a in attributions if a.contribution > 0),
                  key=lambda a: -a.contribution)[:TURNS_CONSIDERED]
    said = [(a, s) for a in best for s in split_sentences(a.evidence.turn.text)
            if len(s.split()) >= MIN_WORDS]
    # A welcome, an introduction or a line about the session itself shows no know-how: such
    # sentences are quoted only when the person's best turns hold nothing else.
    substance = [(a, s) for a, s in said if not is_housekeeping(s) and not is_framing(s)]
    sentences = [_Sentence(a, s, frozenset(content_terms(s))) for a, s in substance or said]
    if not sentences:  # short turns: quote them whole
        sentences = [_Sentence(a, a.evidence.turn.text.strip(), frozenset()) for a in best[:1]]
    vectors = embeddings.embed_many([s.text for s in sentences])
    similarity = vectors @ np.asarray(topic_vector, dtype=np.float32)
    for s, sim in zip(sentences, similarity, strict=True):
        # Mostly: the sentence is about the topic. A little: it is the person's own words (not
        # someone naming them), from a turn that counts, and long enough to say something.
        own = 0.0 if s.attribution.via_mention else 0.1
        s.score = (float(sim) + own + 0.1 * min(1.0, s.attribution.contribution)
                   + 0.05 * min(1, len(s.text) / 80))
    chosen: list[_Sentence] = []
    for s in sorted(sentences, key=lambda s: -s.score):
        if any(_near_duplicate(s, c) for c in chosen):
            continue
        if any(c.attribution is s.attribution for c in chosen) and len(best) > len(chosen):
            continue  # prefer a second turn over a second sentence of the same turn
        chosen.append(s)
        if len(chosen) == max_quotes:
            break
    out: list[Evidence] = []
    for s in chosen:
        turn = s.attribution.evidence.turn
        evidence = Evidence(
            session_id=s.attribution.evidence.session.id, speaker=turn.speaker, start=turn.start,
            end=turn.end, turn_start=turn.index, turn_end=turn.index, quote=s.text,
        )
        if verifier.citation_is_valid(evidence):
            out.append(evidence)
    return out


def _near_duplicate(a: _Sentence, b: _Sentence) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.7
