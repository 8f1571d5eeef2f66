"""People ranked by expertise: the sessions retrieval found, each read in full, summed per person.

Retrieval says which sessions talk about the topic (and how closely: the best chunk). Each of the
best `expertise_sessions` is then read whole and scored with `expertise.session_expertise`, with
speakers resolved to people by identity (so "Dr Amara Okafor" and "Amara" are one person). A
person's score is the sum over sessions of their share there, weighted by how close the session
is to the topic: several sessions count more than one.

Evidence, and the only reason to answer "nobody": sessions are read when the best retrieved
chunk reaches `min_relevance` (calibrated so no off-topic question reaches it on the samples),
and in them a person counts with a turn of theirs that is not only a question and shares a
term with the topic, or a turn sharing one that names them. Nobody with evidence -> nobody;
anyone with evidence is ranked, however little (no per-person threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from companion.core.schemas import Turn
from companion.core.settings import PeersSettings
from companion.features.peers.evidence import _session_info
from companion.features.peers.expertise import ExpertiseWeights, SpokenTurn, session_expertise
from companion.features.peers.expertise import turn_relevance as lexical_relevance
from companion.features.peers.people_source import PersonResolver
from companion.features.peers.practice import is_question, practice_strength
from companion.features.people import Person
from companion.retrieval.hybrid import Retrieval
from companion.storage.catalog import Catalog


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


def rank_by_expertise(
    topic: str,
    catalog: Catalog,
    retrieval: Retrieval,
    resolver: PersonResolver,
    settings: PeersSettings,
    shadow: bool = False,
) -> list[Expertise]:
    """Everyone with evidence in the sessions closest to the topic, best first."""
    weights = weights_of(settings)
    found: dict[str, Expertise] = {}
    people: dict[str, Person] = {}
    sessions = sessions_by_closeness(catalog, retrieval, settings.expertise_sessions,
                                     floor=settings.min_relevance)
    for session_id, closeness in sessions:
        turns = [t for t in catalog.turns(session_id) if t.text.strip()]
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
        rel = lexical_relevance(topic, [t.text for t in spoken])
        scores, _ = session_expertise(topic, spoken, weights, relevance=rel)
        with_evidence = _with_evidence(spoken, rel)
        for pid, score in scores.items():
            if pid not in people:
                continue
            entry = found.setdefault(pid, Expertise(people[pid]))
            entry.score += score * max(closeness, 0.05)
            if pid in with_evidence:
                entry.evidence = True
                entry.sessions.add(session_id)
    ranked = [e for e in found.values() if e.evidence and e.score > 0]
    return sorted(ranked, key=lambda e: (-e.score, e.person.id))


def _with_evidence(spoken: Sequence[SpokenTurn], rel: np.ndarray) -> set[str]:
    out: set[str] = set()
    for t, r in zip(spoken, rel, strict=True):
        if r <= 0:
            continue
        if t.person is not None and not t.question:
            out.add(t.person)
        out.update(t.named)
    return out
