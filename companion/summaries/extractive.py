"""The offline summariser: every item is a sentence (or clause) of the session, cited.

Overview and key points are content sentences picked by MMR over the session's own sentence
embeddings (salience = cosine to the session centroid, plus a prior for the opening of the
session); the overview is the first few picks in session order, key points the next ones.
Tips come from the tips extractor, ranked the same way; action items and open questions from
patterns and speaker structure.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from companion.people.identity import one_label_per_person
from companion.retrieval.terms import words
from companion.schemas import Session
from companion.settings import Settings
from companion.summaries.actions import find_action_items
from companion.summaries.models import Summary, SummaryPoint
from companion.summaries.participants import participants
from companion.summaries.questions import find_open_questions, is_deflection
from companion.summaries.salience import centroid_salience, lexical_shortlist, mmr_order
from companion.summaries.sentences import (
    Sentence,
    is_content,
    session_sentences,
    turn_evidence,
)
from companion.summaries.tips import advice_quotes


class ExtractiveSummariser:
    """Summarises a session from its own sentences; needs only the embedding model.

    Args:
        embeddings: anything with `embed_many(texts) -> normalised numpy rows`.
        settings: the `summaries` and `tips` settings are used.
    """

    name = "extractive"
    version = "2"  # bump when the output changes, so cached summaries are regenerated

    def __init__(self, embeddings: Any, settings: Settings) -> None:
        self.embeddings = embeddings
        self.settings = settings
        self.cfg = settings.summaries

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

    def shortlist(self, content: list[Sentence]) -> list[Sentence]:
        """At most `max_embedded_sentences` content sentences, pre-ranked lexically.

        Embedding every sentence of a long meeting cost more than embedding its chunks; the
        lexical shortlist keeps ingest near the cost of the chunk embeddings alone (see
        `bench/RESULTS.md`) and leaves ROUGE on QMSum val unchanged (`evals.summaries_eval`).
        """
        keep = lexical_shortlist(
            [s.text for s in content], self.cfg.max_embedded_sentences,
            groups=[s.speaker for s in content],
        )
        return [content[i] for i in keep]

    def salience(self, content: list[Sentence], vectors: Any, weight: float | None = None) -> Any:
        """Cosine to the session centroid, plus a prior for the opening of the session."""
        if not content:
            return np.zeros(0, dtype=np.float32)
        weight = self.cfg.position_weight if weight is None else weight
        span = content[-1].position + 1
        where = np.array([s.position / span for s in content], dtype=np.float32)
        prior = weight * np.exp(-where / self.cfg.position_decay)
        return centroid_salience(vectors) + prior

    def select(
        self, content: list[Sentence], vectors: Any, lam: float | None = None,
        position_weight: float | None = None,
    ) -> tuple[list[Sentence], list[Sentence]]:
        """(overview, key points) picked by MMR from content sentences; each in session order."""
        n_overview = self.overview_size(len(content))
        lam = self.cfg.mmr_lambda if lam is None else lam
        salience = self.salience(content, vectors, position_weight)
        order = mmr_order(vectors, salience, n_overview + self.cfg.key_points, lam)
        overview = sorted((content[i] for i in order[:n_overview]), key=lambda s: s.position)
        points = sorted((content[i] for i in order[n_overview:]), key=lambda s: s.position)
        return overview, points

    def summarise(self, session: Session) -> Summary:
        """The session's summary (not yet verified against the catalog)."""
        sentences = session_sentences(session)
        actions = find_action_items(session)
        content = self.content(sentences, {c.quote for a in actions for c in a.citations})
        content = self.shortlist(content)
        vectors = self.embed([s.text for s in content])
        overview, points = self.select(content, vectors)
        used = {s.text for s in overview + points}
        return Summary(
            session_id=session.id, title=session.title, date=session.date, kind=session.kind,
            series=session.series, facilitator=session.facilitator, consent=session.consent,
            content_hash=session.content_hash, generator=self.name,
            overview=[self._point(session, s) for s in overview],
            key_points=[self._point(session, s) for s in points],
            tips=self._tips(session, used, vectors),
            action_items=actions,
            open_questions=find_open_questions(session, self.cfg, self.embed),
            participants=self._participants(session, sentences, content, vectors),
        )

    @staticmethod
    def _point(session: Session, sentence: Sentence) -> SummaryPoint:
        return SummaryPoint(text=sentence.text, citations=[sentence.evidence(session.id)])

    def _tips(self, session: Session, used: set[str], content_vectors: Any) -> list[SummaryPoint]:
        quotes = [q for q in advice_quotes(session, self.settings)
                  if not any(q.quote in u or u in q.quote for u in used)]
        if not quotes or self.cfg.tips <= 0:
            return []
        vectors = self.embed([q.quote for q in quotes])
        if len(content_vectors):
            centre = np.asarray(content_vectors).mean(axis=0)
            salience = vectors @ (centre / (np.linalg.norm(centre) or 1.0))
        else:
            salience = np.ones(len(quotes), dtype=np.float32)
        order = sorted(mmr_order(vectors, salience, self.cfg.tips, self.cfg.mmr_lambda))
        turns = {t.index: t for t in session.turns}
        out: list[SummaryPoint] = []
        for i in order:
            turn = turns[quotes[i].turn]
            out.append(SummaryPoint(text=quotes[i].quote, citations=[
                turn_evidence(session.id, turn, quotes[i].quote)]))
        return out

    def _participants(
        self, session: Session, sentences: list[Sentence], content: list[Sentence], vectors: Any
    ) -> list[Any]:
        turn_counts: Counter[str] = Counter()
        word_counts: Counter[str] = Counter()
        same = one_label_per_person(session.speakers)  # "Amara" speaks as "Dr Amara Okafor"
        for turn in session.turns:
            if turn.speaker and turn.text.strip():
                turn_counts[same[turn.speaker]] += 1
                word_counts[same[turn.speaker]] += len(words(turn.text))
        questions = [s for s in sentences if s.is_question and len(s.text.split()) >= 5]
        return participants(session.id, turn_counts, word_counts, content, vectors, questions,
                            same=same)
