"""The action a quote recommends, as text to embed: framing, hedges and asides removed.

Two quotes of one piece of advice rarely share their framing ("My advice is ...", "What I wish
I'd known: ...", "Honestly, I'd say ..."), their reasons ("... it saves you a week later") or
their speaker's hedges, and all three move a sentence embedding as much as the action does.
`action_clauses` strips generic English lead-ins and splits what is left into clauses; the
registry embeds each clause and keeps the one the advice detector rates highest (`core_index`),
so "An unlabelled X is one you lose, so do Y" is compared on "do Y".

Every pattern here is generic English framing (no workplace's words); quotes stay verbatim
wherever they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from companion.core.schemas import Session
from companion.core.settings import TipsSettings
from companion.features.tips.analysis import SessionAdvice, analyse
from companion.features.tips.extraction import Candidate, extract_candidates
from companion.features.tips.housekeeping import drop_housekeeping
from companion.features.tips.similarity import action_text
from companion.features.tips.strength import advice_probability

_LEADS = [
    # "My (number one) advice / tip / rule is (to)", "The one thing I'd say is"
    # (only with "my"/"our" or a ranking word: "the recommendation is ..." is content)
    r"(?:(?:my|our)\s+(?:\w+\s+){0,3}|(?:the|one|a)\s+(?:(?:one|main|big|biggest|best|key|only|"
    r"single|first|second|other|number one|most \w+)\s+)+)(?:advice|tip|suggestion|"
    r"recommendation|rule|lesson|thing|trick|habit|secret)\s+(?:[\w']+\s+){0,4}"
    r"(?:is|was|would be|'s)\s*,?\s+(?:that\s+|to\s+)?",
    # "What I'd say / tell anyone / suggest is (that)"
    r"what\s+(?:i|we)(?:'d|\s+would|\s+always)?\s+(?:say|tell\s+\w+|suggest|recommend|do)"
    r"(?:\s+\w+){0,3}\s+is\s*,?\s+(?:that\s+)?",
    # "I'd say / suggest / recommend (that)", "I think", "I find", "I reckon", "I'd push for"
    r"(?:i|we)(?:'d|\s+would|\s+really|\s+always|\s+honestly)?\s+(?:say|suggest|recommend|"
    r"think|reckon|find|feel|guess|believe|argue)\s+(?:that\s+)?",
    # "I'd start ...", "I would always ...": the speaker's own choice, said as advice.
    r"(?:i|we)(?:'d|\s+would)\s+(?:always\s+|definitely\s+|still\s+)?",
    # "If I could name just one (thing)", "If you remember one thing"
    r"if\s+(?:i|you)\s+(?:\w+\s+){1,5}one(?:\s+thing)?\s*,?\s*",
    # "From me", "For me", "Personally", "Honestly", "Basically", "In my experience"
    r"(?:from|for)\s+me\b\s*,?\s*(?:just\s+)?(?:one\s+(?:thing|habit|tip))?\s*[:,]?\s*",
    r"(?:personally|honestly|basically|seriously|really|frankly|in\s+my\s+experience)\b\s*,?\s*",
    # "You should / need to / have to / want to / must / 've got to / 'd better"
    r"you\s+(?:really\s+|always\s+|just\s+)?(?:should|need\s+to|have\s+to|want\s+to|must|"
    r"ought\s+to|'ve\s+got\s+to|'d\s+better|can)\s+",
    # "It's worth / important / a good idea (to)"
    r"it(?:'s|\s+is)\s+(?:always\s+)?(?:worth|important|essential|a\s+good\s+idea|best|key)\s+"
    r"(?:to\s+)?",
    # Fillers.
    r"(?:so|and|but|okay|ok|right|um|uh|erm|well|yeah|look|also|then|just|plus|oh)\b\s*,?\s*",
]
_LEAD = re.compile(r"^(?:" + "|".join(_LEADS) + r")", re.I)
# Hedges inside the sentence; "you know" and "I mean" only as asides between commas ("until
# you know them" keeps its words).
_HEDGES = re.compile(
    r"(?:,\s*(?:you know|i mean)\s*(?=,))|\b(?:kind of|sort of|basically|probably|actually)\b"
    r"\s*",
    re.I,
)
# Where one clause ends and the next begins: sentence ends, semicolons, dashes, "so"/"because".
_CLAUSE = re.compile(
    r"\s*(?:[.;!?]+\s+|\s[-–—]+\s|:\s+|,?\s+(?:so|because|and then|which means)\s+)", re.I
)
MIN_CLAUSE_WORDS = 3
SECOND_CHANCE = "second-chance"  # cue of a sentence below the detector's threshold


def strip_leads(text: str) -> str:
    """The text without generic lead-ins and hedges (repeatedly: "So honestly, I'd say ...")."""
    text = text.replace("’", "'").strip()
    for _ in range(6):
        stripped = _LEAD.sub("", text).lstrip(" ,:;-–—\"'“‘")
        if stripped == text:
            break
        text = stripped
    text = _HEDGES.sub("", text)
    return " ".join(text.split())


def action_clauses(quote: str) -> list[str]:
    """The quote's candidate action clauses, each without lead-ins; never empty.

    The first item is the whole quote without framing (what `similarity.action_text` gives,
    lead-ins stripped); the rest are its clauses of at least `MIN_CLAUSE_WORDS` words when it
    has more than one.
    """
    whole = strip_leads(action_text(quote)) or action_text(quote)
    if len(whole.split()) < 2:
        whole = action_text(quote)
    parts = [strip_leads(p) for p in _CLAUSE.split(whole)]
    parts = [p for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS]
    out = [whole]
    if len(parts) > 1:
        out += [p for p in parts if p != whole]
    return out


def core_index(probabilities: Sequence[float]) -> int:
    """Which of a quote's `action_clauses` is its action: the one rated most advice-like.

    The whole (index 0) wins ties, so a one-clause quote is embedded as it stands.
    """
    values = list(probabilities)
    best = 0
    for i, p in enumerate(values[1:], 1):
        if p > values[best]:
            best = i
    return best


def action_vectors(
    quotes: Sequence[str], embed: Any, score: Any, blend: float = 0.5
) -> np.ndarray:
    """One vector per quote for clustering: whole (framing stripped) blended with its core.

    Args:
        quotes: verbatim advice quotes.
        embed: texts -> (n, d) normalised embeddings.
        score: (n, d) vectors -> (n,) advice probabilities.
        blend: weight of the core clause's vector (0: the whole only, 1: the core only).

    Returns:
        (len(quotes), d) unit rows.
    """
    clauses = [action_clauses(q) for q in quotes]
    flat = [c for cs in clauses for c in cs]
    if not flat:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = np.asarray(embed(flat), dtype=np.float32)
    probs = np.asarray(score(vectors), dtype=np.float32)
    out = []
    at = 0
    for cs in clauses:
        rows = vectors[at: at + len(cs)]
        core = rows[core_index(probs[at: at + len(cs)].tolist())]
        mixed = (1 - blend) * rows[0] + blend * core
        out.append(mixed / (np.linalg.norm(mixed) or 1.0))
        at += len(cs)
    return np.stack(out).astype(np.float32)


def advice_of(
    candidates: Sequence[Candidate], settings: TipsSettings, embed: Callable[[list[str]], Any]
) -> tuple[list[Candidate], list[Any]]:
    """The candidates that are not housekeeping, with the vectors the registry clusters."""
    if not candidates:
        return [], []
    # What the quote asks for, without its framing ("My number one tip: ..."), lead-ins and
    # hedges, blended with its most advice-like clause (see `actions`).
    vectors = list(action_vectors([c.quote for c in candidates], embed, advice_probability,
                                  settings.core_blend))
    return drop_housekeeping(list(candidates), vectors, settings.housekeeping_threshold)


def session_advice(
    session: Session,
    settings: TipsSettings,
    embed: Callable[[list[str]], Any],
    analysis: SessionAdvice | None = None,
) -> tuple[list[Candidate], list[Any]]:
    """The quotes of one session the registry keeps (advice, not housekeeping), with vectors.

    First the detector's advice, then the sentences it left out with a probability of at least
    `second_chance_floor` (cue `SECOND_CHANCE`): placement lets those only join a tip already
    given in another session ("he always writes the agenda first" beside "write the agenda first"),
    never start one. Each sentence is embedded once (the two extractions share a memo).

    Args:
        session: the parsed session.
        settings: the tips settings.
        embed: texts -> normalised rows (the product's model).
        analysis: the session's advice already found with these settings (`shared_analysis`),
            so its sentences are not embedded again.
    """
    if analysis is None:
        analysis = analyse(session, settings, embed)
    memo = analysis.embed
    found = list(analysis.candidates)
    if settings.second_chance_floor < 1.0:
        lower = settings.model_copy(update={"advice_threshold": settings.second_chance_floor})
        found += [replace(c, cue=SECOND_CHANCE)
                  for c in extract_candidates(session, lower, memo)
                  if not any(_overlaps(c, f) for f in found)]
    return advice_of(found, settings, memo)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    """True when two candidates share words of one turn (one quote holds the other)."""
    return a.turn == b.turn and (a.quote in b.quote or b.quote in a.quote)
