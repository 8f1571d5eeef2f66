"""Participants: turns, share of words, and one representative point each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from companion.features.summaries.models import Participant, SummaryPoint
from companion.features.summaries.sentences import Sentence


def participants(
    session_id: str,
    turns_by_speaker: Counter[str],
    words_by_speaker: Counter[str],
    content: list[Sentence],
    vectors: Any,
    questions: list[Sentence],
    minor_share: float = 0.1,
    same: Mapping[str, str] | None = None,
) -> list[Participant]:
    """Every speaker, most words first, with the sentence most typical of what they said.

    Args:
        session_id: for the citations.
        turns_by_speaker: non-empty turns per speaker.
        words_by_speaker: words per speaker.
        content: the session's content sentences (see `is_content`).
        vectors: their normalised embeddings, one row each.
        questions: question sentences.
        minor_share: below this share of words, a speaker who asked is represented by their
            longest question rather than by a statement.
        same: label -> the label the person is listed under (one person, one row).
    """
    same = same or {}
    total = sum(words_by_speaker.values()) or 1
    matrix = np.asarray(vectors, dtype=np.float32)
    out: list[Participant] = []
    for name, words in words_by_speaker.most_common():
        rows = [i for i, s in enumerate(content) if same.get(s.speaker or "", s.speaker) == name]
        asked = [q for q in questions if same.get(q.speaker or "", q.speaker) == name]
        point: SummaryPoint | None = None
        # Someone who mostly asked contributed their questions; say what they asked.
        if asked and (not rows or words / total < minor_share):
            longest = max(asked, key=lambda q: len(q.text.split()))
            point = SummaryPoint(text=longest.text, citations=[longest.evidence(session_id)])
        elif rows:
            own = matrix[rows]
            centre = own.mean(axis=0)
            best = rows[int(np.argmax(own @ centre))]
            point = SummaryPoint(text=content[best].text,
                                 citations=[content[best].evidence(session_id)])
        out.append(
            Participant(
                name=name, turns=turns_by_speaker[name], words=words,
                word_share=round(words / total, 3), point=point,
            )
        )
    return out
