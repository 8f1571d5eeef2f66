"""The offline summariser: every item is a sentence (or clause) of the session, cited.

Overview and key points are content sentences picked by `selection.select_points`: a small
learned scorer (`scorer.py`, fitted on QMSum train) over generic features, including the
similarity of each sentence's chunk vector (stored in Chroma at ingest, never embedded again) to
the session's centroid, then MMR over TF-IDF rows; introductions, greetings, logistics and small
talk never stand as points, nor does framing (sentences about the session itself) as a key
point. Tips come from the tips extractor; action items and open questions from patterns and
speaker structure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from companion.core.identity import one_label_per_person
from companion.core.schemas import Session
from companion.core.settings import Settings
from companion.core.terms import words
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.chunk_vectors import ChunkVectors
from companion.features.summaries.models import Summary, SummaryPoint
from companion.features.summaries.participants import participants
from companion.features.summaries.questions import find_open_questions, is_deflection
from companion.features.summaries.salience import mmr_order
from companion.features.summaries.scorer import LinearScorer, load_scorer
from companion.features.summaries.selection import Selection, select_points
from companion.features.summaries.sentences import (
    Sentence,
    is_content,
    session_sentences,
    turn_evidence,
)
from companion.features.summaries.tidy import tidy
from companion.features.summaries.tips import AdviceQuote, Embed, advice_quotes

ChunkSource = Callable[[Session], ChunkVectors]
# A session's advice quotes and an embedder that already holds their sentences' vectors.
AdviceSource = Callable[[Session], tuple[list[AdviceQuote], Embed]]
NO_CHUNKS = ChunkVectors.from_ranges([], [])


class ExtractiveSummariser:
    """Summarises a session from its own sentences and its stored chunk vectors.

    Args:
        embeddings: anything with `embed_many(texts) -> normalised numpy rows` (tips and open
            questions use it; overview and key points do not).
        settings: the `summaries` and `tips` settings are used.
        chunk_vectors: the session's stored chunk vectors (default: none, so semantic
            centrality is left out and the lexical features decide).
        scorer: the sentence scorer (default: the shipped weights).
        advice: the session's advice quotes with their embedder (default: found here with
            `advice_quotes`; ingest shares the tips listener's analysis, `shared_advice`).
    """

    name = "extractive"
    version = "7"  # bump when the output changes, so cached summaries are regenerated

    def __init__(self, embeddings: Any, settings: Settings,
                 chunk_vectors: ChunkSource | None = None,
                 scorer: LinearScorer | None = None,
                 advice: AdviceSource | None = None) -> None:
        self.embeddings = embeddings
        self.settings = settings
        self.cfg = settings.summaries
        self.chunk_vectors = chunk_vectors
        self.scorer = scorer if scorer is not None else load_scorer()
        self.advice = advice

    def embed(self, texts: list[str]) -> Any:
        """Normalised embeddings, one row per text (an empty matrix for no texts)."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(self.embeddings.embed_many(texts), dtype=np.float32)

    def overview_size(self, content_sentences: int) -> int:
        """3 sentences for a short session, up to 5 for a long one."""
        lo, hi = self.cfg.min_overview_sentences, self.cfg.max_overview_sentences
        return max(lo, min(hi, lo + content_sentences // 100))

    def content(self, sentences: list[Sentence], skip: set[str] | None = None) -> list[Sentence]:
        """Sentences that may stand in an overview or a key point.

        Args:
            sentences: the session's sentences.
            skip: quotes listed elsewhere (action items); sentences holding one are left out.
        """
        return [s for s in sentences if is_content(s, self.cfg) and not is_deflection(s.text)
                and not any(q in s.text for q in skip or ())]

    def select(self, session: Session, sentences: list[Sentence], content: list[Sentence],
               lam: float | None = None) -> Selection:
        """Overview and key points of the session (see `selection.select_points`)."""
        chunks = self.chunk_vectors(session) if self.chunk_vectors is not None else NO_CHUNKS
        return select_points(content, sentences, chunks, self.scorer,
                             self.overview_size(len(content)), self.cfg.key_points, lam,
                             framing=self.cfg.framing_filter)

    def summarise(self, session: Session) -> Summary:
        """The session's summary (not yet verified against the catalog)."""
        sentences = session_sentences(session)
        actions = find_action_items(session)
        content = self.content(sentences, {c.quote for a in actions for c in a.citations})
        picked = self.select(session, sentences, content)
        used = {s.text for s in picked.overview + picked.key_points}
        return Summary(
            session_id=session.id, title=session.title, date=session.date, kind=session.kind,
            series=session.series, facilitator=session.facilitator, consent=session.consent,
            content_hash=session.content_hash, generator=self.name,
            overview=[self._point(session, s) for s in picked.overview],
            key_points=[self._point(session, s) for s in picked.key_points],
            tips=self._tips(session, used, picked),
            action_items=actions,
            open_questions=find_open_questions(session, self.cfg, self.embed),
            participants=self._participants(session, sentences, picked),
        )

    @staticmethod
    def _point(session: Session, sentence: Sentence) -> SummaryPoint:
        # The point reads tidied (no "um", no "the the"); its citation quotes the words as said.
        return SummaryPoint(text=tidy(sentence.text), citations=[sentence.evidence(session.id)])

    def _tips(self, session: Session, used: set[str], picked: Selection) -> list[SummaryPoint]:
        if self.advice is not None:
            found, embed = self.advice(session)
        else:
            found, embed = advice_quotes(session, self.settings, self.embed), self.embed
        quotes = [q for q in found if not any(q.quote in u or u in q.quote for u in used)]
        if not quotes or self.cfg.tips <= 0:
            return []
        # The advice analysis embedded these sentences already; its embedder remembers them.
        vectors = np.asarray(embed([q.quote for q in quotes]), dtype=np.float32)
        salience = vectors @ (vectors.mean(axis=0) / (np.linalg.norm(vectors.mean(axis=0))
                                                      or 1.0))
        order = sorted(mmr_order(vectors, salience, self.cfg.tips, self.cfg.mmr_lambda))
        turns = {t.index: t for t in session.turns}
        out: list[SummaryPoint] = []
        for i in order:
            turn = turns[quotes[i].turn]
            out.append(SummaryPoint(text=quotes[i].quote, citations=[
                turn_evidence(session.id, turn, quotes[i].quote)]))
        return out

    def _participants(
        self, session: Session, sentences: list[Sentence], picked: Selection
    ) -> list[Any]:
        turn_counts: Counter[str] = Counter()
        word_counts: Counter[str] = Counter()
        same = one_label_per_person(session.speakers)  # "Amara" speaks as "Dr Amara Okafor"
        for turn in session.turns:
            if turn.speaker and turn.text.strip():
                turn_counts[same[turn.speaker]] += 1
                word_counts[same[turn.speaker]] += len(words(turn.text))
        questions = [s for s in sentences if s.is_question and len(s.text.split()) >= 5]
        # Housekeeping is already out of the candidates: nobody is represented by "I'm Jo".
        return participants(session.id, turn_counts, word_counts, picked.candidates,
                            picked.lexical, questions, same=same)
