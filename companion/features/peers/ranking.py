"""Aggregating attributed turns into one score per person, with diminishing returns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from companion.core.settings import PeersSettings
from companion.features.peers.evidence import Attribution, SessionInfo
from companion.features.peers.people_source import PersonResolver
from companion.features.people import Person


@dataclass
class PersonScore:
    """One person's evidence and the score it earns."""

    person: Person
    attributions: list[Attribution] = field(default_factory=list)
    best_relevance: float = 0.0
    sessions: set[str] = field(default_factory=set)
    facilitated: list[SessionInfo] = field(default_factory=list)
    practice: bool = False
    evidence_score: float = 0.0
    recent_recommendations: int = 0
    score: float = 0.0


def recency(session_date: str | None, today: date, settings: PeersSettings) -> float:
    """Weight of evidence from a session on this date: 1 today, halving each half-life, floored."""
    if not session_date:
        return 1.0
    try:
        when = date.fromisoformat(session_date[:10])
    except ValueError:
        return 1.0
    age = max(0, (today - when).days)
    decay = 0.5 ** (age / settings.recency_half_life_days)
    return settings.recency_floor + (1 - settings.recency_floor) * decay


def turn_contribution(a: Attribution, shadow: bool, today: date, settings: PeersSettings) -> float:
    """How much one attributed turn adds before diminishing returns."""
    t = a.evidence
    if t.own_relevance < settings.turn_floor:
        return 0.0  # not about the topic itself, whatever surrounds it
    above = max(0.0, t.relevance - settings.turn_floor) / (1 - settings.turn_floor)
    words = len(t.turn.text.split())
    length = min(1.0, words / settings.full_turn_words) ** 0.5
    kind = 1.0
    if t.question:
        kind = settings.shadow_question_weight if shadow else settings.question_weight
    elif shadow and not a.via_mention:  # what others say someone does is practice enough
        kind = settings.shadow_other_weight + settings.shadow_practice_boost * t.practice
    return above * length * kind * a.share * recency(t.session.date, today, settings)


def rank_people(
    attributions: Sequence[Attribution],
    resolver: PersonResolver,
    settings: PeersSettings,
    shadow: bool = False,
    today: date | None = None,
) -> list[PersonScore]:
    """Score every person with evidence; best first. Load spreading is applied by the caller.

    A person's score is the sum of their turn contributions, best first, the k-th discounted by
    `repeat_decay**k` (how much, and how specifically), times a bonus for the number of distinct
    sessions, times a bonus when they facilitated a session on the topic.
    """
    today = today or date.today()
    people: dict[str, PersonScore] = {}
    for a in attributions:
        a.contribution = turn_contribution(a, shadow, today, settings)
        entry = people.setdefault(a.person.id, PersonScore(a.person))
        entry.attributions.append(a)
        if not a.evidence.question:
            entry.best_relevance = max(entry.best_relevance, a.evidence.own_relevance)
    taught = _sessions_led(attributions, settings)
    for entry in people.values():
        contributions = sorted((a.contribution for a in entry.attributions), reverse=True)
        amount = sum(c * settings.repeat_decay**k for k, c in enumerate(contributions))
        entry.sessions = {a.evidence.session.id for a in entry.attributions if a.contribution > 0}
        entry.practice = any(
            a.evidence.practice > 0 and a.contribution > 0 and not a.via_mention
            for a in entry.attributions
        )
        entry.facilitated = [
            s for s, leader in taught.values()
            if leader == entry.person.id and s.facilitator
            and (p := resolver.person_for_speaker(s.facilitator, s.id)) is not None
            and p.id == entry.person.id
        ]
        sessions_factor = 1 + settings.session_weight * math.log2(max(1, len(entry.sessions)))
        teaching = 1 + settings.facilitator_bonus if entry.facilitated else 1.0
        entry.evidence_score = amount * sessions_factor * teaching
        entry.score = entry.evidence_score
    return sorted(people.values(), key=lambda e: (-e.score, e.person.id))


def _sessions_led(
    attributions: Sequence[Attribution], settings: PeersSettings
) -> dict[str, tuple[SessionInfo, str]]:
    """Sessions on the topic, each with the person who said most about it there.

    A facilitator counts as having taught the topic only where they also led what was said
    about it: a host who introduces the speakers of a panel has not taught it.
    """
    on_topic: dict[str, SessionInfo] = {}
    said: dict[str, dict[str, float]] = {}
    for a in attributions:
        session = a.evidence.session
        if a.evidence.own_relevance >= settings.min_relevance:
            on_topic[session.id] = session
        per_person = said.setdefault(session.id, {})
        per_person[a.person.id] = per_person.get(a.person.id, 0.0) + a.contribution
    return {
        sid: (session, max(said[sid], key=lambda pid: (said[sid][pid], pid)))
        for sid, session in on_topic.items()
    }
