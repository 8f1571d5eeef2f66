"""A small learned sentence scorer for extractive summaries (numpy only).

Each content sentence of a session gets generic features: where it falls, how long it and its
turn are, its speaker's share of the words, how central it is lexically (TF-IDF cosine to the
session) and semantically (cosine of its chunk's stored vector to the session's centroid of chunk
vectors), and cue words of decisions, actions, opinions and housekeeping that are ordinary
English, plus how long its words are (a rough sign of specific, less common words). Each word of
the shared stopword list (`core.terms.STOPWORDS`, generic English) is also a presence feature,
so the model learns which function and cue words mark substance instead of a hand-made cue list.
A linear model fitted on QMSum train (`evals/train_summary_scorer.py`, label: how much of
the sentence the gold whole-meeting summary shares) turns them into a score. The weights ship as
`scorer_weights.json` beside this module.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.housekeeping import is_housekeeping, opens_mid_thought
from companion.core.terms import STOPWORDS, content_terms, words
from companion.features.summaries.chunk_vectors import ChunkVectors
from companion.features.summaries.sentences import Sentence, disfluency

WEIGHTS = Path(__file__).with_name("scorer_weights.json")

DECISION_CUE = re.compile(
    r"\b(?:decid\w*|decision|agree[ds]?|agreed|agreement|conclu\w*|settled?|chose|choose|"
    r"go(?:ing)? (?:with|for)|final(?:ly|ise|ize|ised|ized)?|the plan is|resolved?|approv\w*|"
    r"recommend\w*|propos\w*|we (?:should|need to|have to|must|will|want to))\b",
    re.I,
)
ACTION_CUE = re.compile(
    r"\b(?:I'll|I will|I'm going to|we'll|we're going to|we are going to|next (?:time|week|"
    r"meeting|step)|follow(?:ing)? up|action|deadline|by (?:monday|tuesday|wednesday|thursday|"
    r"friday|tomorrow|next|the end))\b",
    re.I,
)
_OPINION = re.compile(r"\b(?:i think|i feel|i believe|in my (?:view|opinion)|i guess|maybe|"
                      r"perhaps|probably)\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:hundred|thousand|million|billion|percent|per cent)\b", re.I)
_FIRST = frozenset({"i", "me", "my", "mine", "i'm", "i've", "i'd", "i'll"})
_GROUP = frozenset({"we", "us", "our", "ours", "we're", "we've", "we'll", "we'd"})

FEATURES = (
    "position", "opening", "closing", "words", "turn_words", "speaker_share",
    "lexical_centrality", "chunk_centrality", "chunk_centrality_raw", "content_density",
    "decision", "action", "opinion", "first_person", "group", "disfluency", "number",
    "housekeeping", "mid_thought", "after_question", "turn_first", "topic_share", "topic_count",
    "opening_x_topic", "opening_x_speaker", "topic_x_chunk", "word_length", "long_words",
)
CUE_WORDS = tuple(sorted(STOPWORDS))  # presence features after `FEATURES`; the weights keep theirs
LONG_WORD = 7  # letters
TOPIC_TERMS = 40  # a session's most widespread content terms: what it is about


def tfidf_rows(texts: Sequence[str]) -> Any:
    """Normalised TF-IDF rows of the texts' content terms (IDF over the texts themselves)."""
    bags = [Counter(content_terms(t)) for t in texts]
    vocab: dict[str, int] = {}
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
        for term in bag:
            vocab.setdefault(term, len(vocab))
    n = len(texts)
    matrix = np.zeros((n, max(1, len(vocab))), dtype=np.float32)
    for i, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[i, vocab[term]] = count * (math.log((1 + n) / (1 + df[term])) + 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-9)


def _z(values: Any) -> Any:
    values = np.asarray(values, dtype=np.float32)
    if len(values) < 2:
        return np.zeros_like(values)
    sd = float(values.std())
    return (values - values.mean()) / sd if sd > 1e-9 else np.zeros_like(values)


def _share(tokens: list[str], vocabulary: frozenset[str]) -> float:
    return sum(t in vocabulary for t in tokens) / max(1, len(tokens))


def sentence_features(
    content: Sequence[Sentence], sentences: Sequence[Sentence], chunks: ChunkVectors,
    lexical: Any | None = None, cues: Sequence[str] = (),
) -> Any:
    """One row of `FEATURES` (then one presence column per cue word) per content sentence.

    Args:
        content: the candidate sentences, in session order.
        sentences: every sentence of the session (positions, questions, speaker shares).
        chunks: the session's stored chunk vectors (empty: semantic centrality is 0).
        lexical: `tfidf_rows` of the content texts, when already computed.
        cues: the cue words whose presence is a column each (the scorer's `cues`).
    """
    if not content:
        return np.zeros((0, len(FEATURES) + len(cues)), dtype=np.float32)
    lexical = tfidf_rows([s.text for s in content]) if lexical is None else lexical
    total = lexical.sum(axis=0)
    lex = lexical @ (total / (float(np.linalg.norm(total)) or 1.0))
    if chunks.empty:
        sem = np.zeros(len(content), dtype=np.float32)
    else:
        sem = chunks.rows_for([s.turn.index for s in content]) @ chunks.centroid()
    spoken: Counter[str | None] = Counter()
    for turn in {s.turn.index: s.turn for s in sentences}.values():
        spoken[turn.speaker] += len(words(turn.text))
    all_words = max(1, sum(spoken.values()))
    last = max(1, sentences[-1].position if sentences else 1)
    spread: Counter[str] = Counter()
    for s in content:
        # Each term once per sentence, in the order said: ties among the most common terms
        # break the same way in every process (a set's order changes with the hash seed).
        spread.update(dict.fromkeys(content_terms(s.text)).keys())
    topics = {t for t, _ in spread.most_common(TOPIC_TERMS)}
    questions = {s.position for s in sentences if s.is_question}
    first_of_turn: dict[int, int] = {}
    for s in sentences:
        first_of_turn.setdefault(s.turn.index, s.position)
    rows = []
    for i, s in enumerate(content):
        tokens = words(s.text)
        terms = content_terms(s.text)
        on_topic = sum(t in topics for t in terms)
        where = s.position / last
        rows.append([
            where, math.exp(-where / 0.1), math.exp(-(1 - where) / 0.1),
            math.log1p(len(tokens)), math.log1p(len(words(s.turn.text))),
            spoken[s.speaker] / all_words, 0.0, 0.0, float(sem[i]),
            len(terms) / max(1, len(tokens)),
            float(bool(DECISION_CUE.search(s.text))), float(bool(ACTION_CUE.search(s.text))),
            float(bool(_OPINION.search(s.text))), _share(tokens, _FIRST), _share(tokens, _GROUP),
            disfluency(s.text), float(bool(_NUMBER.search(s.text))),
            float(is_housekeeping(s.text)), float(opens_mid_thought(s.text)),
            float(s.position - 1 in questions), float(first_of_turn[s.turn.index] == s.position),
            on_topic / max(1, len(terms)), math.log1p(on_topic), 0.0, 0.0, 0.0,
            sum(map(len, tokens)) / max(1, len(tokens)),
            float(sum(len(t) >= LONG_WORD for t in tokens)),
        ])
    matrix = np.asarray(rows, dtype=np.float32)
    matrix[:, FEATURES.index("lexical_centrality")] = _z(lex)
    matrix[:, FEATURES.index("chunk_centrality")] = _z(sem)
    col = {name: i for i, name in enumerate(FEATURES)}
    # A few products, so the linear model can weigh topicality by where and by whom.
    matrix[:, col["opening_x_topic"]] = matrix[:, col["opening"]] * matrix[:, col["topic_share"]]
    matrix[:, col["opening_x_speaker"]] = \
        matrix[:, col["opening"]] * matrix[:, col["speaker_share"]]
    matrix[:, col["topic_x_chunk"]] = \
        matrix[:, col["topic_share"]] * matrix[:, col["chunk_centrality"]]
    if not cues:
        return matrix
    column = {w: i for i, w in enumerate(cues)}
    present = np.zeros((len(content), len(cues)), dtype=np.float32)
    for i, s in enumerate(content):
        for w in set(words(s.text)) & column.keys():
            present[i, column[w]] = 1.0
    return np.hstack([matrix, present])


@dataclass(frozen=True)
class LinearScorer:
    """Standardised features times fitted coefficients (`FEATURES`, then one per cue word)."""

    features: tuple[str, ...]
    mean: Any
    scale: Any
    coef: Any
    intercept: float
    mmr_lambda: float = 0.7
    mode: str = "mmr"  # or "segments": the best sentence of each stretch of the session
    cues: tuple[str, ...] = ()

    def score(self, rows: Any) -> Any:
        """A score per feature row (higher: more like the gold summaries' substance)."""
        rows = np.asarray(rows, dtype=np.float32)
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def to_json(self) -> dict[str, Any]:
        """The weights as plain JSON."""
        return {"features": list(self.features), "mean": np.round(self.mean, 6).tolist(),
                "scale": np.round(self.scale, 6).tolist(),
                "coef": np.round(self.coef, 6).tolist(),
                "intercept": round(float(self.intercept), 6), "mmr_lambda": self.mmr_lambda,
                "mode": self.mode, "cues": list(self.cues)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearScorer:
        """Weights written by `to_json`; features must match `FEATURES` (plus the cue words)."""
        cues = tuple(str(w) for w in data.get("cues", ()))
        if tuple(data["features"]) != FEATURES or len(data["coef"]) != len(FEATURES) + len(cues):
            raise ValueError("scorer weights were fitted on other features; retrain them")
        return cls(FEATURES, np.asarray(data["mean"], dtype=np.float32),
                   np.asarray(data["scale"], dtype=np.float32),
                   np.asarray(data["coef"], dtype=np.float32), float(data["intercept"]),
                   float(data.get("mmr_lambda", 0.7)), str(data.get("mode", "mmr")), cues)


@lru_cache(maxsize=4)
def load_scorer(path: str = str(WEIGHTS)) -> LinearScorer | None:
    """The shipped scorer; None when its weights file is missing or stale."""
    file = Path(path)
    if not file.exists():
        return None
    try:
        return LinearScorer.from_json(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, KeyError):
        return None
