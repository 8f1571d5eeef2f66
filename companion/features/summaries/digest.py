"""A digest across the sessions of one series: overview lines, merged points, actions, questions.

Key points and tips of different sessions merge when their cosine reaches
`same_point_similarity`; a merged point keeps every citation and counts its sessions. Sessions
without consent are left out unless the caller may see them (admins who ask for them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from companion.core.errors import NotFoundError
from companion.features.summaries.corpus import CorpusQuestions
from companion.features.summaries.models import (
    DigestSession,
    MergedPoint,
    SeriesDigest,
    SeriesOpenQuestion,
    Summary,
    SummaryPoint,
)
from companion.features.summaries.service import SummaryService

MAX_MERGED = 10


def series_session_ids(service: SummaryService, series: str, since: str | None) -> list[str]:
    """Ids of the series' sessions (name matched without case), oldest first."""
    rows = service.ctx.catalog.conn.execute(
        "SELECT id FROM sessions WHERE lower(series) = lower(?) AND (? IS NULL OR date >= ?) "
        "ORDER BY coalesce(date, ''), id",
        (series.strip(), since, since),
    ).fetchall()
    return [r[0] for r in rows]


def _central(points: list[SummaryPoint], vectors: Any) -> int:
    """Index of the point closest to the others' centroid."""
    centre = vectors.mean(axis=0)
    return int(np.argmax(vectors @ centre))


def merge_points(points: list[SummaryPoint], embed: Any, threshold: float) -> list[MergedPoint]:
    """Points grouped greedily by cosine >= threshold; most sessions first, then most central."""
    if not points:
        return []
    vectors = np.asarray(embed([p.text for p in points]), dtype=np.float32)
    groups: list[list[int]] = []
    for i in range(len(points)):
        for group in groups:
            if float((vectors[group] @ vectors[i]).max()) >= threshold:
                group.append(i)
                break
        else:
            groups.append([i])
    salience = vectors @ (vectors.mean(axis=0) / (np.linalg.norm(vectors.mean(axis=0)) or 1.0))
    merged: list[tuple[int, float, MergedPoint]] = []
    for group in groups:
        head = group[_central([points[i] for i in group], vectors[group])]
        citations = [c for i in group for c in points[i].citations]
        sessions = len({c.session_id for c in citations})
        point = MergedPoint(text=points[head].text, citations=citations, sessions=sessions)
        merged.append((sessions, float(salience[head]), point))
    merged.sort(key=lambda m: (-m[0], -m[1]))
    return [m[2] for m in merged[:MAX_MERGED]]


def _overview_line(summary: Summary, embed: Any) -> SummaryPoint | None:
    """The overview sentence most central to the overview."""
    if not summary.overview:
        return None
    vectors = np.asarray(embed([p.text for p in summary.overview]), dtype=np.float32)
    return summary.overview[_central(summary.overview, vectors)]


def build_digest(
    service: SummaryService, series: str, since: str | None = None, private: bool = False
) -> SeriesDigest:
    """The digest of a series.

    Args:
        service: the summary service.
        series: the series name as in the sessions' metadata (case does not matter).
        since: only sessions on or after this ISO date.
        private: include sessions without consent (admins only; never for widget users).

    Raises:
        NotFoundError: The series has no sessions the caller may see (since that date).
    """
    ids = series_session_ids(service, series, since)
    summaries = service.summaries(ids, private=private)
    if not summaries:
        when = f" since {since}" if since else ""
        raise NotFoundError(f"no sessions in the series '{series}'{when}")
    embed = service.ctx.embeddings.embed_many
    threshold = service.ctx.settings.summaries.same_point_similarity
    corpus = CorpusQuestions(service)
    questions = [
        SeriesOpenQuestion(
            **q.model_dump(), session_id=s.session_id,
            answered_in=[a.session_id for a in corpus.answered_in(s.session_id, q, private)],
        )
        for s in summaries for q in s.open_questions
    ]
    return SeriesDigest(
        series=summaries[0].series or series, since=since,
        sessions=[DigestSession(session_id=s.session_id, title=s.title, date=s.date,
                                overview=_overview_line(s, embed)) for s in summaries],
        key_points=merge_points([p for s in summaries for p in s.overview + s.key_points],
                                embed, threshold),
        tips=merge_points([p for s in summaries for p in s.tips], embed, threshold),
        action_items=[a for s in summaries for a in s.action_items],
        open_questions=questions,
    )
