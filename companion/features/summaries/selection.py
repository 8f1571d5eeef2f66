"""Overview and key points: learned scores, MMR over TF-IDF rows, a clean opening.

1. Housekeeping (introductions, greetings, logistics, small talk) never stands as a point;
   framing (a sentence about the session itself: `framing.py`) is never a key point, and
   only the kind that says what the session was may stand in the overview, as it does in
   summaries people write (unless the filter is switched off).
2. Each remaining content sentence is scored by the learned `LinearScorer` (without weights:
   lexical plus chunk-vector centrality and an opening prior).
3. Maximal marginal relevance picks sentences by score against their TF-IDF redundancy with the
   picks so far, so the points cover the session rather than repeat its main thread.
4. The overview is the first picks in session order, opened by a sentence that does not lean on
   the one before; leading fillers and connectives ("But", "So, um") are trimmed from every
   pick, which stays an exact substring of its turn. Key points list decisions and actions
   first, then the rest in session order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.core.framing import continues_framing, framing_kind
from companion.core.housekeeping import is_housekeeping, opens_mid_thought
from companion.features.summaries.chunk_vectors import ChunkVectors
from companion.features.summaries.salience import mmr_order
from companion.features.summaries.scorer import (
    ACTION_CUE,
    DECISION_CUE,
    FEATURES,
    LinearScorer,
    sentence_features,
    tfidf_rows,
)
from companion.features.summaries.sentences import Sentence

_FILLER_OPENING = re.compile(
    r"^(?:\W*\b(?:but|and|so|or|well|okay|ok|right|um|uh|erm|er|yeah|yes|also|plus|anyway|"
    r"then|now|like|you know|i mean|actually|basically)\b[\s,.…-]*)+",
    re.I,
)


@dataclass
class Selection:
    """The picked sentences (trimmed) and the content rows they came from."""

    overview: list[Sentence]
    key_points: list[Sentence]
    candidates: list[Sentence]
    lexical: Any


def trim_opening(sentence: Sentence, min_words: int = 4) -> Sentence:
    """The sentence without leading fillers and connectives, capitalised for display.

    The text stays an exact substring of its turn apart from the first letter's case, which
    the verifier ignores; a sentence that would become too short is kept whole.
    """
    match = _FILLER_OPENING.match(sentence.text)
    if not match or match.end() == 0:
        return sentence
    rest = sentence.text[match.end():]
    if len(rest.split()) < min_words:
        return sentence
    return Sentence(sentence.position, sentence.turn, rest[:1].upper() + rest[1:],
                    sentence.offset + match.end())


def fallback_scores(rows: Any) -> Any:
    """Scores without learned weights: lexical and chunk centrality plus an opening prior."""
    col = {name: i for i, name in enumerate(FEATURES)}
    return (rows[:, col["lexical_centrality"]] + rows[:, col["chunk_centrality"]]
            + rows[:, col["opening"]] - 2.0 * rows[:, col["housekeeping"]])


def _unit(scores: Any) -> Any:
    scores = np.asarray(scores, dtype=np.float32)
    if not len(scores):
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return (scores - lo) / (hi - lo) if hi - lo > 1e-9 else np.ones_like(scores)


def segment_order(candidates: Sequence[Sentence], scores: Any, k: int) -> list[int]:
    """The best-scored candidate of each of `k` equal stretches of the session, best first.

    A summary follows a meeting from start to end; one pick per stretch covers every part.
    """
    if not candidates:
        return []
    first, last = candidates[0].position, candidates[-1].position + 1
    width = (last - first) / max(1, k)
    best: dict[int, int] = {}
    for i, s in enumerate(candidates):
        part = min(k - 1, int((s.position - first) / width)) if width else 0
        if part not in best or scores[i] > scores[best[part]]:
            best[part] = i
    return sorted(best.values(), key=lambda i: -float(scores[i]))


def _is_decision(sentence: Sentence) -> bool:
    return bool(DECISION_CUE.search(sentence.text) or ACTION_CUE.search(sentence.text))


def _framing_kind(sentence: Sentence, sentences: Sequence[Sentence]) -> str | None:
    """The sentence's framing kind, or "scope" when it goes on from the framing before it."""
    kind = framing_kind(sentence.text)
    if kind is None and 0 < sentence.position < len(sentences):
        before = sentences[sentence.position - 1]
        same_turn = before.turn.index == sentence.turn.index
        if same_turn and continues_framing(before.text, sentence.text):
            return "scope"
    return kind


def select_points(
    content: Sequence[Sentence], sentences: Sequence[Sentence], chunks: ChunkVectors,
    scorer: LinearScorer | None, n_overview: int, n_points: int, lam: float | None = None,
    features: tuple[Any, Any] | None = None, framing: bool = True,
) -> Selection:
    """Pick the overview and key points of a session.

    Args:
        content: content sentences (filler already removed), in session order.
        sentences: all the session's sentences.
        chunks: the session's stored chunk vectors.
        scorer: the learned scorer (None: `fallback_scores`).
        n_overview: overview sentences.
        n_points: key points after the overview.
        lam: MMR weight of score against redundancy (default: the scorer's).
        features: (feature rows, TF-IDF rows) of the candidates, when already computed.
        framing: never pick a sentence about the session itself (`framing.is_framing`) as a
            key point.
    """
    candidates = [s for s in content if not is_housekeeping(s.text)]
    if not candidates:
        return Selection([], [], [], np.zeros((0, 1), dtype=np.float32))
    if features is not None:
        rows, lexical = features
    else:
        lexical = tfidf_rows([s.text for s in candidates])
        rows = sentence_features(candidates, sentences, chunks, lexical,
                                 scorer.cues if scorer is not None else ())
    scores = _unit(scorer.score(rows) if scorer is not None else fallback_scores(rows))
    lam = lam if lam is not None else (scorer.mmr_lambda if scorer is not None else 0.7)
    kinds = [_framing_kind(s, sentences) if framing else None for s in candidates]
    framed = {i for i, kind in enumerate(kinds) if kind is not None}
    offstage = {i for i in framed if kinds[i] != "session"}  # not even in the overview
    if scorer is not None and scorer.mode == "segments":
        order = segment_order(candidates, np.where([i in offstage for i in range(len(scores))],
                                                   -1.0, scores), n_overview + n_points)
    elif scorer is not None and scorer.mode == "opening":
        # The overview is how the session opened (what it set out to cover); key points are
        # the best-scored of the rest.
        opening = [i for i in range(len(candidates)) if i not in offstage
                   and not opens_mid_thought(trim_opening(candidates[i]).text)][:n_overview]
        order = opening + mmr_order(lexical, scores, n_points, lam, exclude=framed,
                                    picked=opening)
    else:
        # The overview may say what the session was (summaries written by people do); the key
        # points are picked after it, never from the framing.
        head = mmr_order(lexical, scores, n_overview, lam, exclude=offstage)
        order = head + mmr_order(lexical, scores, n_points, lam, exclude=framed, picked=head)
    overview_ix = sorted(order[:n_overview], key=lambda i: candidates[i].position)
    rest = order[n_overview:]
    # The overview opens with a sentence that stands on its own: a leaning opener gives way to
    # the best remaining pick that does not lean (and becomes a key point).
    def leans(i: int) -> bool:
        return opens_mid_thought(trim_opening(candidates[i]).text)

    if overview_ix and leans(overview_ix[0]):
        leaning = overview_ix[0]
        steady = [i for i in rest if not leans(i)]
        if steady:
            overview_ix = sorted([i for i in overview_ix if i != leaning] + [steady[0]],
                                 key=lambda i: candidates[i].position)
            rest = [leaning if i == steady[0] else i for i in rest]
        first = next((i for i in overview_ix if not leans(i)), None)
        if first is not None and leans(overview_ix[0]):
            # The steady sentence comes later in the session; it opens the overview anyway.
            overview_ix.remove(first)
            overview_ix.insert(0, first)
    overview = [trim_opening(candidates[i]) for i in overview_ix]
    points = sorted((trim_opening(candidates[i]) for i in rest if i not in framed),
                    key=lambda s: (not _is_decision(s), s.position))
    # Nobody is represented (participants) by what they said about the session itself.
    keep = [i for i in range(len(candidates)) if i not in framed]
    return Selection(overview, points, [candidates[i] for i in keep], lexical[keep])
