"""Open questions across the corpus: answered in another session, or still open (with peers).

For each open question, retrieval finds chunks in other sessions; a statement there (a sentence,
two adjacent sentences or a whole turn) by someone other than the asker, that is not a question
or a non-answer, answers it when its cosine to the question reaches
`answered_elsewhere_similarity` (calibrated on the sample gold's `answered_in`). Questions no
session answers get the peers best placed to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from companion.core.schemas import Evidence, Session, Turn
from companion.features.summaries.models import AnswerRef, CorpusQuestion, OpenQuestion, Summary
from companion.features.summaries.peers import suggest_peers
from companion.features.summaries.questions import is_deflection
from companion.features.summaries.sentences import session_sentences, turn_evidence
from companion.features.summaries.service import SummaryService
from companion.retrieval.hybrid import SearchFilters


def _answer_units(turn: Turn) -> list[str]:
    """Statements of a turn, pairs of adjacent statements, and the turn itself (exact text)."""
    sentences = session_sentences(Session(id="", title="", turns=[turn]))
    ok = [not s.is_question and not is_deflection(s.text) for s in sentences]
    units = [s.text for s, good in zip(sentences, ok, strict=True) if good]
    for (a, good_a), (b, good_b) in zip(zip(sentences, ok, strict=True),
                                        zip(sentences[1:], ok[1:], strict=True), strict=False):
        if good_a and good_b:
            units.append(turn.text[a.offset : b.offset + len(b.text)])
    if len(sentences) > 2 and all(ok):
        units.append(turn.text.strip())
    return [u for u in units if len(u.split()) >= 5]


class CorpusQuestions:
    """Checks open questions against every other session.

    Args:
        service: the summary service (its context, settings and cache).
    """

    def __init__(self, service: SummaryService) -> None:
        self.service = service
        self.ctx = service.ctx
        self.cfg = service.ctx.settings.summaries

    def candidates(
        self, session_id: str, question: OpenQuestion, private: bool
    ) -> list[tuple[str, str, Evidence]]:
        """(session id, title, quote) of other sessions that might answer the question.

        An answer often spans sentences, so each statement, each pair of adjacent statements
        and each whole turn of the retrieved chunks is a candidate.
        """
        retrieval = self.ctx.retriever.retrieve(
            question.question, SearchFilters(include_private=private), limit=self.cfg.retrieve_k
        )
        out: list[tuple[str, str, Evidence]] = []
        seen: set[tuple[str, int]] = set()
        for chunk in retrieval.chunks:
            if chunk.session_id == session_id:
                continue
            for turn in self.ctx.catalog.turns(chunk.session_id, chunk.turn_start, chunk.turn_end):
                if turn.speaker == question.asked_by or (chunk.session_id, turn.index) in seen:
                    continue
                seen.add((chunk.session_id, turn.index))
                for quote in _answer_units(turn):
                    out.append((chunk.session_id, chunk.session_title,
                                turn_evidence(chunk.session_id, turn, quote)))
        return out

    def scored(
        self, session_id: str, question: OpenQuestion, private: bool
    ) -> list[AnswerRef]:
        """The best answering sentence of each other session, best first, whatever its score."""
        found = self.candidates(session_id, question, private)
        if not found:
            return []
        vectors: Any = np.asarray(
            self.ctx.embeddings.embed_many([question.question, *(e.quote for _, _, e in found)]))
        sims = vectors[1:] @ vectors[0]
        best: dict[str, AnswerRef] = {}
        for (sid, title, evidence), sim in zip(found, sims, strict=True):
            if sid not in best or sim > best[sid].similarity:
                best[sid] = AnswerRef(session_id=sid, session_title=title,
                                      similarity=round(float(sim), 4), citation=evidence)
        return sorted(best.values(), key=lambda a: -a.similarity)

    def answered_in(
        self, session_id: str, question: OpenQuestion, private: bool
    ) -> list[AnswerRef]:
        """Other sessions that answer the question, best first."""
        threshold = self.cfg.answered_elsewhere_similarity
        return [a for a in self.scored(session_id, question, private) if a.similarity >= threshold]

    def check(self, summary: Summary, question: OpenQuestion, private: bool) -> CorpusQuestion:
        """One open question with where it is answered, or who could answer it."""
        answered = self.answered_in(summary.session_id, question, private)
        peers = [] if answered else suggest_peers(
            self.ctx, question.question, question.asked_by, self.cfg.peers_per_question,
            session_id=summary.session_id)
        return CorpusQuestion(
            session_id=summary.session_id, session_title=summary.title, date=summary.date,
            question=question, answered_in=answered, peers=peers,
        )

    def all(self, private: bool = False,
            progress: Callable[[str, int, int], None] | None = None) -> list[CorpusQuestion]:
        """Every open question of every session (consented ones unless `private`), oldest first.

        Args:
            private: include sessions whose participants did not consent.
            progress: called as `progress(stage, done, total)` after each step, stage
                "sessions" (a session summarised) then "questions" (a question checked
                against the corpus), so a caller can show how far it has got.
        """
        rows = self.ctx.catalog.conn.execute(
            "SELECT id FROM sessions ORDER BY coalesce(date, ''), id").fetchall()
        ids = [r[0] for r in rows]
        summaries: list[Summary] = []
        for i, session_id in enumerate(ids, 1):
            summaries += self.service.summaries([session_id], private=private)
            if progress is not None:
                progress("sessions", i, len(ids))
        questions = [(s, q) for s in summaries for q in s.open_questions]
        out: list[CorpusQuestion] = []
        for i, (summary, question) in enumerate(questions, 1):
            out.append(self.check(summary, question, private))
            if progress is not None:
                progress("questions", i, len(questions))
        return out
