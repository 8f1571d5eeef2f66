"""Who knows about a topic in one session: what each person said where the session is about it.

A session is read as a sequence of turns. Each turn gets a lexical relevance to the topic (the
topic's content terms it contains, weighted by how rare each term is in that session), optionally
raised by a dense similarity of the passage around it; the relevance is smoothed over nearby
turns, because a topic is discussed over a stretch of the meeting, not in one turn. A person's
expertise in the session is then

- the words they spoke, weighted by how much the stretch they spoke in is about the topic;
- plus extra for answering someone else's question there;
- plus credit for being asked or named by colleagues there;
- plus a little of their overall share of the session (who carries the conversation).

The weights are fitted on QMSum train topics (`evals/fit_expertise.py`); numpy and stdlib only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from companion.core.terms import content_terms


@dataclass(frozen=True)
class SpokenTurn:
    """One turn as expertise sees it.

    Args:
        person: identity of the speaker (None: unknown, still part of the session's flow).
        text: what was said.
        named: identities the turn asks or names (not the speaker).
        question: the turn mostly asks.
        dense: similarity of the retrieved passage around the turn to the topic, if known.
        weight: how much the turn's words count (e.g. less for a question when shadowing).
    """

    person: str | None
    text: str
    named: tuple[str, ...] = ()
    question: bool = False
    dense: float | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class ExpertiseWeights:
    """The fitted knobs; see `evals/fit_expertise.py` for how each was chosen."""

    width: float = 12.0
    power: float = 2.0
    answer_weight: float = 0.5
    named_weight: float = 0.5
    talk_prior: float = 0.1
    dense_weight: float = 0.0
    dense_floor: float = 0.2
    feedback_terms: int = 0
    feedback_weight: float = 0.0


def turn_relevance(topic: str, texts: Sequence[str]) -> np.ndarray:
    """IDF-weighted share of the topic's terms each turn contains, IDF within these turns."""
    return relevance_from_terms(set(content_terms(topic)), [set(content_terms(t)) for t in texts])


def relevance_from_terms(
    q_terms: set[str] | dict[str, float], turn_terms: Sequence[set[str]]
) -> np.ndarray:
    """`turn_relevance` on terms already extracted; `q_terms` may carry weights."""
    if not q_terms or not turn_terms:
        return np.zeros(len(turn_terms))
    boost = q_terms if isinstance(q_terms, dict) else dict.fromkeys(q_terms, 1.0)
    sets = [s & boost.keys() for s in turn_terms]
    df = {term: sum(term in s for s in sets) for term in boost}
    n = len(turn_terms)
    weights = {t: boost[t] * math.log(1 + n / (1 + df[t])) if df[t] else 0.0 for t in boost}
    total = sum(boost[t] * math.log(1 + n) for t in boost) or 1.0
    return np.array([sum(weights[t] for t in s) / total for s in sets])


def feedback_terms(
    q_terms: set[str], turn_terms: Sequence[set[str]], profile: np.ndarray, k: int
) -> dict[str, float]:
    """The k terms most typical of the stretch the topic's own words found (not in the topic).

    Pseudo-relevance feedback: a topic named in four words is discussed in many more, and the
    turns around its best stretch say which.
    """
    if k <= 0 or not len(profile) or float(profile.sum()) <= 0:
        return {}
    inside: dict[str, float] = {}
    overall: dict[str, int] = {}
    for weight, terms in zip(profile, turn_terms, strict=True):
        for term in terms:
            overall[term] = overall.get(term, 0) + 1
            inside[term] = inside.get(term, 0.0) + float(weight)
    mass = float(profile.sum())
    n = len(turn_terms)
    lift = {t: (inside[t] / mass) * math.log(1 + n / overall[t])
            for t in inside if t not in q_terms and overall[t] >= 2}
    top = sorted(lift, key=lambda t: (-lift[t], t))[:k]
    return {t: 1.0 for t in top}


def smooth(values: np.ndarray, width: float) -> np.ndarray:
    """Values spread over neighbouring turns with an exponential kernel of this width."""
    if width <= 0 or len(values) < 2:
        return values.astype(float)
    n = len(values)
    reach = int(min(n - 1, math.ceil(4 * width)))
    kernel = np.exp(-np.abs(np.arange(-reach, reach + 1)) / width)
    spread = np.convolve(values, kernel, mode="full")[reach : reach + n]
    norm = np.convolve(np.ones(n), kernel, mode="full")[reach : reach + n]
    return np.asarray(spread / norm)


def topic_profile(
    rel: np.ndarray, turns: Sequence[SpokenTurn], w: ExpertiseWeights
) -> np.ndarray:
    """0..1 per turn: how much the stretch of the session around each turn is about the topic.

    Args:
        rel: each turn's own lexical relevance (`turn_relevance`).
        turns: the session's turns, in order.
        w: the weights.
    """
    dense = np.array([t.dense if t.dense is not None else 0.0 for t in turns])
    if w.dense_weight and dense.any():
        rel = rel + w.dense_weight * np.clip(dense - w.dense_floor, 0.0, None)
    profile = smooth(rel, w.width)
    peak = float(profile.max()) if len(profile) else 0.0
    if peak <= 0:
        return np.zeros(len(turns))
    return np.asarray((profile / peak) ** w.power)


def session_expertise(
    topic: str,
    turns: Sequence[SpokenTurn],
    w: ExpertiseWeights,
    relevance: np.ndarray | None = None,
    turn_terms: list[set[str]] | None = None,
) -> tuple[dict[str, float], float]:
    """Each person's expertise on the topic in one session (shares summing to about 1).

    Args:
        topic: what the user asked about.
        turns: the session's turns, in order.
        w: the weights.
        relevance: `turn_relevance(topic, texts)` when already computed.
        turn_terms: each turn's content terms when already computed.

    Returns:
        The scores by person, and how much the session is about the topic at all (the mean
        lexical relevance of its best stretch; 0 when no turn shares a term with the topic).
    """
    if not turns:
        return {}, 0.0
    if relevance is None:
        turn_terms = turn_terms or [set(content_terms(t.text)) for t in turns]
        rel = relevance_from_terms(set(content_terms(topic)), turn_terms)
    else:
        rel = relevance
    profile = topic_profile(rel, turns, w)
    if w.feedback_terms and w.feedback_weight:
        profile = _with_feedback(topic, turns, rel, profile, w, turn_terms)
    lengths = np.array([len(t.text.split()) * t.weight for t in turns], dtype=float)
    people = sorted({t.person for t in turns if t.person is not None})
    index = {p: i for i, p in enumerate(people)}
    owners = np.array([index[t.person] if t.person is not None else -1 for t in turns],
                      dtype=int)
    answered = np.array([bool(i) and turns[i - 1].question and turns[i - 1].person != t.person
                         for i, t in enumerate(turns)], dtype=bool)
    found = speaker_scores(profile, lengths, owners, answered, len(people), w)
    scores = {p: float(found[i]) for i, p in enumerate(people)}
    covered = float((profile * lengths).sum()) or 1.0
    unit = float(lengths.mean())
    for i, t in enumerate(turns):
        for named in t.named:
            if named != t.person:
                scores[named] = (scores.get(named, 0.0)
                                 + w.named_weight * profile[i] * unit / covered)
    about = float(smooth(rel, w.width).max())
    return scores, about


def speaker_scores(
    profile: np.ndarray,
    lengths: np.ndarray,
    owners: np.ndarray,
    answered: np.ndarray,
    n_people: int,
    w: ExpertiseWeights,
) -> np.ndarray:
    """Each speaker's share of the words spoken where the topic is, plus answers and a prior.

    Args:
        profile: 0..1 per turn, how much its stretch is about the topic (`topic_profile`).
        lengths: words per turn (already weighted).
        owners: speaker index per turn (-1: nobody known).
        answered: the turn follows someone else's question.
        n_people: number of speakers.
        w: the weights (`answer_weight`, `talk_prior`).
    """
    known = owners >= 0
    gain = profile * lengths * (1 + w.answer_weight * answered)
    covered = float((profile * lengths).sum()) or 1.0
    total = float(lengths.sum()) or 1.0
    out = np.bincount(owners[known], weights=gain[known], minlength=n_people) / covered
    return np.asarray(out + w.talk_prior * np.bincount(
        owners[known], weights=lengths[known], minlength=n_people) / total)


def _with_feedback(
    topic: str,
    turns: Sequence[SpokenTurn],
    rel: np.ndarray,
    profile: np.ndarray,
    w: ExpertiseWeights,
    turn_terms: list[set[str]] | None,
) -> np.ndarray:
    """The profile again, with the topic's terms joined by the feedback terms."""
    terms = turn_terms if turn_terms is not None else [set(content_terms(t.text)) for t in turns]
    q_terms = set(content_terms(topic))
    extra = feedback_terms(q_terms, terms, profile, w.feedback_terms)
    if not extra:
        return profile
    expanded = relevance_from_terms(extra, terms)
    return topic_profile(rel + w.feedback_weight * expanded, turns, w)
