"""Place one session's advice quotes among the tips: the one code path of updates and rebuilds.

Assignment is online (see `clustering`), so the tips depend on the order quotes arrive in. A
session update places its quotes against the stored registry; a rebuild replays every session in
date order against the registry its replay has built so far (`rebuild.replay`). Both build the
index alike (`session_index`: the quotes placed before, in session date and turn order, then the
anchors of tips left with no quotes), count the session's own vectors in the centroid before
placing them (`TipIndex.prime`), weigh terms by IDF over the sessions up to this one
(`TermWeights(upto=...)`) and place quote by quote (`place_session`). So with unchanged settings
and model a rebuild finds the tips that updates made when sessions came in date order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from companion.core.settings import TipsSettings
from companion.features.tips.actions import SECOND_CHANCE
from companion.features.tips.clustering import Member, TipIndex
from companion.features.tips.extraction import Candidate
from companion.features.tips.weights import Weigher


def tip_id_for(quote_hash: str) -> str:
    """The id of a tip created by a quote with this content hash."""
    return f"tip-{quote_hash[:10]}"


@dataclass
class Placement:
    """Where one session's quotes went."""

    # One per candidate, in order; None for a second-chance sentence that joined no tip.
    tip_ids: list[str | None] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)


def session_index(
    settings: TipsSettings,
    redirects: dict[str, str],
    weigh: Weigher,
    quotes: Sequence[Member],
    anchors: Iterable[Member],
) -> TipIndex:
    """The index a session's quotes are placed against.

    Args:
        settings: the thresholds.
        redirects: merged tip id -> survivor id.
        weigh: weighted content terms (IDF up to the session being placed).
        quotes: every quote placed before, in session date, session id and turn order.
        anchors: each tip's anchor; only tips with no quote left are found through it (a tip
            whose session is being replaced, or one merged away).
    """
    index = TipIndex(settings, redirects, weigh)
    index.extend(quotes)
    held = {q.tip_id for q in quotes}
    index.extend(a for a in anchors if a.tip_id not in held)
    return index


def place_session(
    index: TipIndex,
    candidates: Sequence[Candidate],
    vectors: Sequence[Any],
    known: dict[str, str],
    exists: Callable[[str], bool],
    create: Callable[[str, Candidate, Any], None],
) -> Placement:
    """Assign a session's quotes one by one; each placed quote joins the index.

    Args:
        index: from `session_index`; its centroid is primed with the session's vectors here.
        candidates: the session's advice quotes, in order.
        vectors: their vectors.
        known: quote hash -> tip of the quotes the session had before (the same words keep
            their tip).
        exists: whether a tip id is taken (a new quote whose id is taken joins that tip).
        create: makes a new tip from the quote that starts it.
    """
    placement = Placement()
    index.prime(vectors)
    for cand, vector in zip(candidates, vectors, strict=True):
        if cand.cue == SECOND_CHANCE:
            second = _second_chance(index, cand, vector, known)
            placement.tip_ids.append(second)
            if second is not None:
                placement.joined.append(second)
                index.add(index.member(second, cand.quote, vector, session=cand.session_id))
            continue
        if cand.quote_hash in known:
            tip_id = index.resolve(known[cand.quote_hash])
        elif (match := index.match(cand.quote, vector, session=cand.session_id)) is not None:
            tip_id = match[0]
            placement.joined.append(tip_id)
        else:
            tip_id = index.resolve(tip_id_for(cand.quote_hash))
            if not exists(tip_id):
                create(tip_id, cand, vector)
                placement.created.append(tip_id)
        placement.tip_ids.append(tip_id)
        index.add(index.member(tip_id, cand.quote, vector, session=cand.session_id))
    return placement


def _second_chance(
    index: TipIndex, cand: Candidate, vector: Any, known: dict[str, str]
) -> str | None:
    """The tip a sentence below the detector's threshold joins, or None (it is not kept).

    It joins only a tip already given in another session, `second_chance_margin` closer than
    a quote the detector found would need to be; it never starts a tip.
    """
    if cand.quote_hash in known:
        return index.resolve(known[cand.quote_hash])
    match = index.match(cand.quote, vector, session=cand.session_id)
    if match is None:
        return None
    tip_id, closeness = match
    cfg = index.settings
    if closeness < cfg.same_tip_similarity + cfg.second_chance_margin:
        return None
    return tip_id if index.sessions_of(tip_id) - {cand.session_id} else None
