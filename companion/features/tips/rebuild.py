"""Re-cluster every session from scratch, and carry tip ids (and so reviews) over.

A rebuild re-places every quote (`replay`: the sessions in date order through the code path of
updates, so unchanged settings and model give back the tips updates made), so new thresholds or
a better extractor really change the tips. Each new cluster then takes the id of the old tip
most of its quotes (by content hash) belonged to, biggest clusters first. When a reviewer merged
tips, every cluster that votes for the survivor joins it, so a merge survives re-clustering;
otherwise a split-off cluster gets a fresh id from its first quote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from companion.core.settings import TipsSettings
from companion.features.tips.actions import session_advice
from companion.features.tips.clustering import Member
from companion.features.tips.extraction import Candidate
from companion.features.tips.merging import merges
from companion.features.tips.placement import place_session, session_index
from companion.features.tips.weights import TermWeights
from companion.storage.catalog import Catalog


def carry_ids(
    clusters: Sequence[Sequence[str]],
    previous: dict[str, str],
    merged_survivors: set[str],
    fresh_id: Callable[[str], str],
) -> list[str]:
    """The tip id for each new cluster.

    Args:
        clusters: each cluster's quote hashes, first quote first.
        previous: quote hash -> the (surviving) tip it belonged to before.
        merged_survivors: tips a reviewer merged others into.
        fresh_id: the id a quote hash gives a new tip (an unclaimed existing tip with that id
            was created by the same words, so the cluster takes it over with its review).
    """
    ids: list[str | None] = [None] * len(clusters)
    claimed: set[str] = set()
    order = sorted(range(len(clusters)), key=lambda i: -len(clusters[i]))
    for i in order:
        votes = Counter(previous[h] for h in clusters[i] if h in previous)
        for old, _ in votes.most_common():
            if old not in claimed or old in merged_survivors:
                ids[i] = old
                claimed.add(old)
                break
    for i in order:
        if ids[i] is not None:
            continue
        for quote_hash in clusters[i]:
            candidate = fresh_id(quote_hash)
            if candidate not in claimed:
                ids[i] = candidate
                claimed.add(candidate)
                break
        else:  # every quote's id is in use: suffix the first one's
            n = 2
            while f"{fresh_id(clusters[i][0])}-{n}" in claimed:
                n += 1
            ids[i] = f"{fresh_id(clusters[i][0])}-{n}"
            claimed.add(ids[i] or "")
    return [i or "" for i in ids]


def replay(
    catalog: Catalog,
    settings: TipsSettings,
    embed: Callable[[list[str]], Any],
    redirects: dict[str, str],
) -> list[tuple[str, Candidate, Any]]:
    """Every session's advice placed from no tips, as updates in date order place it.

    Each session is placed through `placement` like an update: against the quotes replayed
    before it only (a tip not yet created in the replay cannot be matched), with its own vectors
    primed in the centroid and IDF over the sessions up to it; then tips that paraphrase each
    other are merged (`merging.merges`), as an update merges them.

    Returns:
        (tip key in the replay, candidate, vector) of every quote, in replay order.
    """
    quotes: list[Member] = []
    created: set[str] = set()
    placed: list[tuple[str, Candidate, Any]] = []
    for summary in sorted(catalog.list_sessions(), key=lambda s: (s.date or "", s.id)):
        candidates, vectors = session_advice(catalog.load_session(summary.id), settings, embed)
        weigh = TermWeights(catalog, upto=(summary.date or "", summary.id))
        # Every tip the replay created holds its first quote: no anchor is found on its own.
        index = session_index(settings, redirects, weigh, quotes, [])
        placement = place_session(index, candidates, vectors, {}, created.__contains__,
                                  lambda tip_id, _cand, _vector: created.add(tip_id))
        rows = [(tip_id, cand, vector) for tip_id, cand, vector
                in zip(placement.tip_ids, candidates, vectors, strict=True) if tip_id is not None]
        placed.extend(rows)
        # Stored quotes come back in turn order, as float32: the next session sees them so.
        quotes.extend(
            Member(tip_id, cand.quote, np.asarray(vector, dtype=np.float32),
                   session=cand.session_id)
            for tip_id, cand, vector in sorted(rows, key=lambda r: r[1].turn)
        )
        # Tips that turned out to paraphrase each other become one, as updates do (`merging`).
        folded = merges(quotes, settings, weigh)
        if folded:
            quotes[:] = [replace(m, tip_id=folded.get(m.tip_id, m.tip_id)) for m in quotes]
            placed[:] = [(folded.get(k, k), c, v) for k, c, v in placed]
    return placed
