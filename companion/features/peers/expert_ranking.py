"""People ranked by expertise: the sessions retrieval found, each read in full, summed per person.

Retrieval says which sessions talk about the topic (and how closely: the best chunk). Each of the
best `expertise_sessions` is then read whole and scored with `expertise.session_expertise`, with
speakers resolved to people by identity (so "Dr Amara Okafor" and "Amara" are one person). A
person's score is the sum over sessions of their share there, weighted by how close the session
is to the topic: several sessions count more than one.

Where in a session the topic is comes from `localise` (BM25 over the session's turns blended
with the chunk vectors ingest stored, against the query vector retrieval already computed:
nothing is embedded again), so a person's share is of the talk where the topic is discussed.

Evidence, and the only reason to answer "nobody": a session counts when one of its turns holds
`evidence_lexical_share` of the topic's terms (or `evidence_distinct_terms` of them together)
or one of its chunks reaches `min_relevance` (both
calibrated so no off-topic question reaches them on the samples); in it a person has evidence
with a turn of theirs that is not only a question, or a turn naming them, that shares a term
with the topic, or is substantial and sits in a chunk reaching `min_relevance` or in the
topic's localised stretch (`evidence_stretch` of its peak: the speaker took part where the
session discusses it, even in other words). Nobody with
evidence -> nobody; anyone with evidence is ranked, however little (no per-person threshold).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from companion.core.schemas import Turn
from companion.core.settings import PeersSettings
from companion.core.terms import content_terms
from companion.features.peers.evidence import _session_info
from companion.features.peers.expertise import (
    ExpertiseWeights,
    SpokenTurn,
    relevance_from_terms,
    session_expertise,
    topic_profile,
)
from companion.features.peers.localise import Localisation, localise
from companion.features.peers.people_source import PersonResolver
from companion.features.peers.practice import is_question, practice_strength
from companion.features.people import Person
from companion.retrieval.hybrid import Retrieval
from companion.storage.catalog import Catalog
from companion.storage.vectors import VectorIndex


@dataclass
class Expertise:
    """One person's expertise over the sessions read."""

    person: Person
    score: float = 0.0
    evidence: bool = False
    sessions: set[str] = field(default_factory=set)


def weights_of(settings: PeersSettings) -> ExpertiseWeights:
    """The expertise weights held in Settings."""
    return ExpertiseWeights(
        width=settings.expertise_width, power=settings.expertise_power,
        answer_weight=settings.expertise_answer_weight,
        named_weight=settings.expertise_named_weight,
        talk_prior=settings.expertise_talk_prior,
    )


def sessions_by_closeness(
    catalog: Catalog, retrieval: Retrieval, limit: int, floor: float = 0.0
) -> list[tuple[str, float]]:
    """The consented sessions retrieval found, best chunk first, with that chunk's similarity.

    When no chunk at all reaches `floor`, the sessions are not about the topic: none is read.
    """
    best: dict[str, float] = {}
    for chunk in retrieval.chunks:
        sim = chunk.similarity if chunk.similarity is not None else 0.0
        best[chunk.session_id] = max(best.get(chunk.session_id, -1.0), sim)
    ordered = sorted(best, key=lambda sid: -best[sid])
    out: list[tuple[str, float]] = []
    if not ordered or best[ordered[0]] < floor:
        return out
    for sid in ordered:
        if len(out) >= limit:
            break
        if _session_info(catalog, sid) is not None:  # private sessions give no evidence
            out.append((sid, best[sid]))
    return out


def _spoken(turns: Sequence[Turn], session_id: str, resolver: PersonResolver,
            settings: PeersSettings, shadow: bool) -> list[SpokenTurn]:
    out = []
    for turn in turns:
        person = resolver.person_for_speaker(turn.speaker, session_id) if turn.speaker else None
        asks = "?" in turn.text and is_question(turn.text)
        weight = 1.0
        if shadow:
            weight = (settings.shadow_question_weight if asks else
                      settings.shadow_other_weight
                      + settings.shadow_practice_boost * practice_strength(turn.text))
        named = tuple(p.id for p in resolver.mentioned_in(turn.text)
                      if person is None or p.id != person.id)
        out.append(SpokenTurn(person.id if person else None, turn.text, named, asks,
                              weight=weight))
    return out


def session_weight(closeness: float, best: float, focus: float) -> float:
    """How much a session's shares count.

    Its best chunk's cosine; or, with `focus` > 0, a weight falling by e for every `focus` the
    session's best chunk is below the best session's.
    """
    if focus <= 0:
        return max(closeness, 0.05)
    return math.exp(-(best - closeness) / focus)


def stored_chunks(
    catalog: Catalog, vectors: VectorIndex | None, session_id: str
) -> tuple[list[tuple[int, int]], Any]:
    """The session's chunks' turn spans and the vectors ingest stored for them (none: empty)."""
    chunks = catalog.chunks(session_id) if vectors is not None else []
    if not chunks or vectors is None:
        return [], None
    found = vectors.vectors_of([c.id for c in chunks])
    kept = [c for c in chunks if c.id in found]
    if not kept:
        return [], None
    return ([(c.turn_start, c.turn_end) for c in kept],
            np.asarray([found[c.id] for c in kept], dtype=np.float32))


def rank_by_expertise(
    topic: str,
    catalog: Catalog,
    retrieval: Retrieval,
    resolver: PersonResolver,
    settings: PeersSettings,
    shadow: bool = False,
    vectors: VectorIndex | None = None,
) -> list[Expertise]:
    """Everyone with evidence in the sessions closest to the topic, best first.

    Each session retrieval found is localised (`localise`: BM25 over its turns blended with its
    stored chunk vectors against the retrieval's query vector); it is read as discussing the
    topic when one turn shares enough of the topic's terms (`evidence_lexical_share`) or one
    chunk reaches `min_relevance`. There, a person has evidence with a turn that is not only a
    question, or a turn naming them, that shares a topic term or sits in a close chunk.
    """
    weights = weights_of(settings)
    found: dict[str, Expertise] = {}
    people: dict[str, Person] = {}
    q_terms = content_terms(topic)
    sessions = sessions_by_closeness(catalog, retrieval, settings.expertise_sessions)
    best = max((c for _, c in sessions), default=0.0)
    for session_id, closeness in sessions:
        weight = session_weight(closeness, best, settings.expertise_session_focus)
        turns = catalog.turns(session_id)
        if not any(t.text.strip() for t in turns):
            continue
        spoken = _spoken(turns, session_id, resolver, settings, shadow)
        for turn in turns:
            if turn.speaker:
                p = resolver.person_for_speaker(turn.speaker, session_id)
                if p is not None:
                    people.setdefault(p.id, p)
        for t in spoken:
            for pid in t.named:
                if pid not in people and (p := resolver.find(pid)) is not None:
                    people[pid] = p
        terms = [Counter(content_terms(t.text)) for t in turns]
        ranges, matrix = stored_chunks(catalog, vectors, session_id)
        position = {t.index: i for i, t in enumerate(turns)}
        ranges = [(position.get(a, a), position.get(b, b)) for a, b in ranges]
        loc = localise(q_terms, terms, ranges, matrix, retrieval.query_vector)
        if not _discussed(q_terms, terms, loc, settings):
            continue
        rel = loc.relevance(settings.expertise_lexical_share)
        scores, _ = session_expertise(topic, spoken, weights, relevance=rel)
        stretch = topic_profile(rel, spoken, weights)
        with_evidence = _with_evidence(spoken, loc, settings, stretch)
        for pid, score in scores.items():
            if pid not in people:
                continue
            entry = found.setdefault(pid, Expertise(people[pid]))
            entry.score += score * weight
            if pid in with_evidence:
                entry.evidence = True
                entry.sessions.add(session_id)
    ranked = [e for e in found.values() if e.evidence and e.score > 0]
    return sorted(ranked, key=lambda e: (-e.score, e.person.id))


def _discussed(q_terms: list[str], terms: list[Counter[str]], loc: Localisation,
               settings: PeersSettings) -> bool:
    """The session talks about the topic: enough of its words in one turn, or a close chunk.

    Enough words: `evidence_lexical_share` of the topic's terms (IDF-weighted), or
    `evidence_distinct_terms` different topic terms said together in one turn (a vague topic
    whose words are common in the session still counts when someone joins two of them).
    """
    share = relevance_from_terms(set(q_terms), [set(c) for c in terms])
    if len(share) and float(share.max()) >= settings.evidence_lexical_share:
        return True
    wanted = set(q_terms)
    if settings.evidence_distinct_terms > 0 and any(
            len(wanted & c.keys()) >= settings.evidence_distinct_terms for c in terms):
        return True
    return loc.dense is not None and float(loc.dense.max()) >= settings.min_relevance


def _with_evidence(spoken: Sequence[SpokenTurn], loc: Localisation,
                   settings: PeersSettings, stretch: np.ndarray | None = None) -> set[str]:
    """Who said something on the topic.

    A turn sharing one of its terms, or a substantial turn (`evidence_min_words`) in a chunk
    reaching `min_relevance` or where the topic's stretch (`stretch`, 0..1 of its peak) reaches
    `evidence_stretch` (a pleasantry inside an on-topic passage is no evidence).
    """
    out: set[str] = set()
    dense = loc.dense if loc.dense is not None else np.zeros(len(spoken))
    where = stretch if stretch is not None else np.zeros(len(spoken))
    for t, lexical, close, inside in zip(spoken, loc.lexical, dense, where, strict=True):
        substantial = len(t.text.split()) >= settings.evidence_min_words
        near = close >= settings.min_relevance or inside >= settings.evidence_stretch
        if lexical <= 0 and not (substantial and near):
            continue
        if t.person is not None and not t.question:
            out.add(t.person)
        out.update(t.named)
    return out
