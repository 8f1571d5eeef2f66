"""Training data for the dense leg's query adapter: QMSum questions, chunk vectors, labels.

Chunk vectors are the ones ingest stores (the product's chunker and embedding model), read from
the cache `evals/qmsum_chunks.py` fills (nothing is re-embedded); question vectors are embedded
once with the product's `embed_query` and cached as npz. A chunk is a positive of a question when
its turn range overlaps one of the question's gold spans.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from evals.datasets import GoldQuestion, load_qmsum
from evals.qmsum_chunks import CACHE, QMSUM, ChunkVectorCache

_AMI = re.compile(r"^((?:es|is|ts)\d{4})[a-d]$", re.IGNORECASE)


def series_of(meeting: str) -> str:
    """The series a meeting belongs to (AMI `ES2002a` → `ES2002`; others: the meeting itself).

    Folds keep a series together: sibling meetings discuss the same design, and val holds
    whole series the train split has never seen.
    """
    found = _AMI.match(meeting)
    return found.group(1) if found else meeting


@dataclass
class Corpus:
    """Chunk vectors of some meetings and the questions asked of them.

    Attributes:
        chunks: one row per chunk (normalised).
        meeting: the meeting of each chunk.
        ranges: the turn range of each chunk.
        questions: the answerable questions.
        queries: one normalised row per question.
    """

    chunks: np.ndarray
    meeting: np.ndarray
    ranges: np.ndarray
    questions: list[GoldQuestion]
    queries: np.ndarray

    def labels(self, qi: int) -> np.ndarray:
        """Gold item index per chunk for question `qi` (-1: not inside a gold span)."""
        out = np.full(len(self.meeting), -1)
        for item_i, item in enumerate(self.questions[qi].gold):
            for span in item:
                hit = (
                    (self.meeting == span.session_id)
                    & (self.ranges[:, 0] <= span.end)
                    & (self.ranges[:, 1] >= span.start)
                )
                out[hit & (out < 0)] = item_i
        return out

    def subset(self, meetings: set[str]) -> Corpus:
        """The chunks and questions of these meetings only."""
        keep = np.isin(self.meeting, sorted(meetings))
        qs = [i for i, q in enumerate(self.questions) if q.sessions[0] in meetings]
        return Corpus(
            self.chunks[keep],
            self.meeting[keep],
            self.ranges[keep],
            [self.questions[i] for i in qs],
            self.queries[qs],
        )


def embed_questions(texts: list[str], cache: Path) -> np.ndarray:
    """Normalised question vectors, embedded once (cached by the texts' hash)."""
    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"queries-{key}.npz"
    if path.exists():
        return np.asarray(np.load(path)["vectors"], dtype=np.float32)
    from companion.storage.embeddings import SentenceTransformerEmbeddings

    settings = Settings()
    model = SentenceTransformerEmbeddings(settings.resolved_model_path(), threads=1)
    rows = np.asarray([model.embed_query(t) for t in texts], dtype=np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, vectors=rows)
    return rows


def load_corpus(split: str, cache: Path, chunk_cache: Path = CACHE) -> Corpus:
    """Every cached meeting of a QMSum split with its answerable questions."""
    vectors = ChunkVectorCache(Settings(), chunk_cache)
    rows: list[Any] = []
    meeting: list[str] = []
    ranges: list[tuple[int, int]] = []
    have: set[str] = set()
    for path in sorted((QMSUM / split).glob("*.json")):
        found = vectors.meeting(path, cached_only=True)
        if found is None:
            continue
        have.add(found.session.id)
        rows.append(found.chunks.matrix)
        meeting += [found.session.id] * len(found.chunks.ranges)
        ranges += found.chunks.ranges
    questions = [
        q
        for q in load_qmsum(QMSUM / split, 0).questions
        if q.answerable and q.sessions[0] in have
    ]
    queries = embed_questions([q.question for q in questions], cache)
    return Corpus(
        np.vstack(rows).astype(np.float32),
        np.array(meeting),
        np.array(ranges),
        questions,
        queries,
    )


def recall_at(corpus: Corpus, scores: np.ndarray, k: int = 5) -> tuple[float, float]:
    """Mean recall@k of gold items and hit@k, each question ranked over the whole corpus.

    Args:
        corpus: chunks and questions.
        scores: one row per question, one column per chunk.
        k: cut-off.
    """
    recalls, hits = [], []
    for qi, q in enumerate(corpus.questions):
        top = np.argsort(-scores[qi])[:k]
        items = corpus.labels(qi)[top]
        found = {int(i) for i in items if i >= 0}
        recalls.append(len(found) / len(q.gold))
        hits.append(bool(found))
    return float(np.mean(recalls)), float(np.mean(hits))
