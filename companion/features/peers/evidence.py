"""Evidence for peers: the turns inside retrieved chunks, scored against the topic and attributed.

A turn counts for the person who spoke it, never for everyone in the chunk or session. A turn
that talks about someone by a declared alias ("Kwame shadowed Marcus in the private office")
also counts, less, for the person named. In notes (one untimed author writing up a session) a
paragraph that names someone counts mainly for the person named, and less for the author.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from companion.core.framing import is_framing
from companion.core.housekeeping import is_housekeeping
from companion.core.schemas import REFLECTION_KIND, Turn
from companion.core.settings import PeersSettings
from companion.core.terms import content_terms
from companion.core.text import split_sentences
from companion.features.peers.people_source import PersonResolver
from companion.features.peers.practice import is_question, practice_strength
from companion.features.peers.turn_vectors import TurnVectors
from companion.features.people import Person
from companion.retrieval.hybrid import Retrieval
from companion.storage.catalog import Catalog


@dataclass(frozen=True)
class SessionInfo:
    """The session facts ranking needs."""

    id: str
    title: str
    date: str | None
    facilitator: str | None
    is_notes: bool


@dataclass
class TurnEvidence:
    """One retrieved turn with its relevance to the topic and what kind of speech it is."""

    session: SessionInfo
    turn: Turn
    own_relevance: float = 0.0
    relevance: float = 0.0
    context: float | None = None
    question: bool = False
    practice: float = 0.0


@dataclass
class Attribution:
    """A turn counted for a person, with the share of it they get."""

    person: Person
    evidence: TurnEvidence
    share: float = 1.0
    via_mention: bool = False
    named_by: str | None = None
    """For a mention: who named them, as a person's name where known, else the label."""
    contribution: float = field(default=0.0)


def collect_turns(catalog: Catalog, retrieval: Retrieval) -> list[TurnEvidence]:
    """The distinct spoken turns of the retrieved chunks, in retrieval order."""
    sessions: dict[str, SessionInfo | None] = {}
    found: dict[tuple[str, int], TurnEvidence] = {}
    for chunk in retrieval.chunks:
        if chunk.session_id not in sessions:
            sessions[chunk.session_id] = _session_info(catalog, chunk.session_id)
        info = sessions[chunk.session_id]
        if info is None:
            continue
        for turn in catalog.turns(chunk.session_id, chunk.turn_start, chunk.turn_end):
            if not turn.speaker or not turn.text.strip() or runs_the_session(turn.text):
                continue
            key = (chunk.session_id, turn.index)
            if key not in found:
                found[key] = TurnEvidence(info, turn, question=is_question(turn.text),
                                          practice=practice_strength(turn.text))
            if chunk.similarity is not None:
                # The turn's surroundings: the best retrieved chunk it sits in.
                prior = found[key].context
                found[key].context = max(prior or -1.0, chunk.similarity)
    return list(found.values())


def _session_info(catalog: Catalog, session_id: str) -> SessionInfo | None:
    row = catalog.session_row(session_id)
    if row is None or not row["consent"]:
        return None  # private sessions never provide evidence shown to others
    if row["kind"] == REFLECTION_KIND:
        return None  # an anonymous learner's reflection names nobody to talk to
    shape = catalog.conn.execute(
        "SELECT count(DISTINCT speaker), count(start) FROM turns WHERE session_id = ?",
        (session_id,),
    ).fetchone()
    return SessionInfo(
        id=row["id"], title=row["title"], date=row["date"], facilitator=row["facilitator"],
        is_notes=shape[0] <= 1 and shape[1] == 0,
    )


def score_relevance(
    turns: Sequence[TurnEvidence],
    topic: str,
    topic_vector: Sequence[float] | None,
    vectors: TurnVectors,
    method: str,
    context_weight: float = 0.0,
) -> None:
    """Set each turn's relevance to the topic: embedding cosine, term overlap, or their blend.

    `own_relevance` is the turn's alone; it decides whether a turn is about the topic at all
    (thresholds). `relevance` mixes in, with `context_weight`, the similarity of the chunk
    around the turn, so a turn in a passage about the topic weighs more even when it does not
    repeat the topic's words; surroundings never make an off-topic turn ("Thanks, see you next
    week") count.
    """
    if not turns:
        return
    dense = np.zeros(len(turns))
    lexical = np.zeros(len(turns))
    if method in ("embedding", "blend"):
        query = np.asarray(
            topic_vector if topic_vector is not None else vectors.embeddings.embed_query(topic),
            dtype=np.float32,
        )
        matrix = vectors.fetch([(t.session.id, t.turn.index, t.turn.text) for t in turns])
        dense = matrix @ query
    if method in ("terms", "blend"):
        lexical = term_overlap(topic, [t.turn.text for t in turns])
    values = {"embedding": dense, "terms": lexical, "blend": 0.5 * dense + 0.5 * lexical}[method]
    for t, value in zip(turns, values, strict=True):
        own = float(value)
        around = t.context if t.context is not None else own
        t.own_relevance = own
        t.relevance = (1 - context_weight) * own + context_weight * max(own, around)


def term_overlap(topic: str, texts: Sequence[str]) -> Any:
    """IDF-weighted share of the topic's content terms each text contains (0..1)."""
    q_terms = set(content_terms(topic))
    sets = [set(content_terms(text)) for text in texts]
    if not q_terms:
        return np.zeros(len(texts))
    df = Counter(term for s in sets for term in s & q_terms)
    n = max(1, len(sets))
    weights = {term: math.log(1 + n / (1 + df[term])) for term in q_terms}
    total = sum(weights.values()) or 1.0
    return np.array([sum(weights[term] for term in s & q_terms) / total for s in sets])


def attribute(
    turns: Sequence[TurnEvidence], resolver: PersonResolver, settings: PeersSettings
) -> list[Attribution]:
    """Credit each turn to the person who spoke it, and to the people it talks about."""
    out: list[Attribution] = []
    for t in turns:
        speaker = resolver.person_for_speaker(t.turn.speaker, t.session.id)
        named = [p for p in resolver.mentioned_in(t.turn.text)
                 if speaker is None or p.id != speaker.id]
        share = settings.notes_mention_weight if t.session.is_notes else settings.mention_weight
        by = speaker.name if speaker is not None else t.turn.speaker
        out.extend(Attribution(p, t, share=share, via_mention=True, named_by=by)
                   for p in named if share > 0)
        if speaker is not None:
            own = settings.notes_author_weight if named and t.session.is_notes else 1.0
            out.append(Attribution(speaker, t, share=own))
    return out


def runs_the_session(text: str) -> bool:
    """True when every sentence of a turn welcomes, introduces or frames the session.

    Such a turn (a chair's welcome, the plan for the talk) uses the topic's words without
    showing any know-how, so it is no evidence that the speaker knows the topic.
    """
    sentences = split_sentences(text)
    return bool(sentences) and all(is_housekeeping(s) or is_framing(s) for s in sentences)
