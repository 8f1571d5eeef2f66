"""A learned citation selector (tried, not adopted): P(a candidate sentence is inside the evidence).

Every candidate sentence the extractive composer considers (`ExtractiveGenerator.candidates`)
gets features it computes anyway (overlap with the question's terms, whether it replies to the
question asked in the session), where it sits in its turn, its length, how much of it is
housekeeping or disfluency, its turn's and neighbouring turns' overlap, whether the question
names its speaker, and its chunk's standing (fusion probability, rank, cosine, BM25, its
session's share of the candidates' probability). `evals/train_citations.py` fits a logistic
model over them on QMSum train and measures, out-of-fold, answers that quote the most probable
sentences (`choose`) against the shipped composer (one best-scored sentence per best chunk).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from companion.core.terms import content_terms, words
from companion.core.text import disfluency, split_sentences
from companion.features.ask.extractive import HOUSEKEEPING, Candidate
from companion.retrieval.fusion import speaker_words

FEATURES = (
    "overlap",
    "reply",
    "is_reply",
    "log_words",
    "terms_matched",
    "housekeeping",
    "disfluency",
    "position",
    "first_sentence",
    "log_turn_sentences",
    "turn_overlap",
    "turn_best",
    "neighbour_overlap",
    "speaker_named",
    "chunk_logit",
    "chunk_rel",
    "chunk_logrank",
    "chunk_similarity",
    "chunk_lex_rel",
    "session_share",
)


def _logit(p: float | None) -> float:
    if p is None:
        return 0.0
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sentence_features(cands: Sequence[Candidate], question: str) -> np.ndarray:
    """The feature matrix of one question's scored candidate sentences (columns: `FEATURES`)."""
    x = np.zeros((len(cands), len(FEATURES)))
    if not cands:
        return x
    q_terms = set(content_terms(question))
    q_words = set(words(question))
    # The composer's term weights (the same formula as `ExtractiveGenerator.candidates`).
    df = Counter(t for c in cands for t in c.terms & q_terms)
    n = max(1, len(cands))
    weights = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
    total = sum(weights.values()) or 1.0
    turn_best: dict[tuple[str, int], float] = {}
    for c in cands:
        key = (c.chunk.session_id, c.turn.index)
        turn_best[key] = max(turn_best.get(key, 0.0), c.overlap)
    top_p = max((c.chunk.probability or 0.0) for c in cands) or 1.0
    best_lex = max((c.chunk.lexical_score or 0.0) for c in cands) or 1.0
    mass: dict[str, float] = {}
    for chunk in {c.chunk.id: c.chunk for c in cands}.values():
        mass[chunk.session_id] = mass.get(chunk.session_id, 0.0) + (chunk.probability or 0.0)
    top_mass = max(mass.values()) or 1.0
    for i, c in enumerate(cands):
        sid, index = c.chunk.session_id, c.turn.index
        sentences = split_sentences(c.turn.text)
        position = sentences.index(c.text) if c.text in sentences else 0
        turn_terms = set(content_terms(c.turn.text)) & q_terms
        near = [turn_best.get((sid, index + d), 0.0) for d in (-2, -1, 1, 2)]
        named = bool(c.turn.speaker and speaker_words(c.turn.speaker) & q_words)
        x[i] = (
            c.overlap,
            c.reply,
            float(c.reply > 0),
            math.log1p(len(c.text.split())),
            math.log1p(len(c.terms & q_terms)),
            len(c.terms & HOUSEKEEPING) / max(1, len(c.terms)),
            disfluency(c.text),
            position / max(1, len(sentences) - 1),
            float(position == 0),
            math.log1p(len(sentences)),
            sum(weights[t] for t in turn_terms) / total,
            float(c.overlap >= turn_best[(sid, index)]),
            max(near),
            float(named),
            _logit(c.chunk.probability),
            (c.chunk.probability or 0.0) / top_p,
            -math.log1p(c.rank),
            c.chunk.similarity or 0.0,
            (c.chunk.lexical_score or 0.0) / best_lex,
            mass[sid] / top_mass,
        )
    return x


def choose(
    cands: Sequence[Candidate],
    probs: np.ndarray,
    max_sentences: int,
    min_relative: float,
    per_chunk: int,
    similar: Callable[[frozenset[str], frozenset[str]], bool],
) -> list[int]:
    """Indices of the most probable sentences: at most `per_chunk` per chunk, no near-duplicate.

    Sentences below `min_relative` of the best sentence's probability are not quoted (the best
    one always is).
    """
    order = np.argsort(-probs, kind="stable")
    chosen: list[int] = []
    per: dict[str, int] = {}
    top = float(probs[order[0]]) if len(order) else 0.0
    for i in (int(k) for k in order):
        c = cands[i]
        if len(chosen) == max_sentences or float(probs[i]) < min_relative * top:
            break
        if per.get(c.chunk.id, 0) >= per_chunk:
            continue
        if any(similar(c.terms, cands[j].terms) for j in chosen):
            continue
        chosen.append(i)
        per[c.chunk.id] = per.get(c.chunk.id, 0) + 1
    return chosen


def per_chunk_choice(
    cands: Sequence[Candidate],
    probs: np.ndarray,
    max_sentences: int,
    similar: Callable[[frozenset[str], frozenset[str]], bool],
) -> list[int]:
    """Indices the shipped composer's way: the best sentence of each best chunk, by `probs`."""
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(cands):
        groups.setdefault(c.rank, []).append(i)
    chosen: list[int] = []
    for rank in sorted(groups):
        for i in sorted(groups[rank], key=lambda i: -probs[i]):
            if len(chosen) == max_sentences:
                return chosen
            if not any(similar(cands[i].terms, cands[j].terms) for j in chosen):
                chosen.append(i)
                break
    return chosen
