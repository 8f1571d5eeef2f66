"""Carry tip ids (and so review decisions) over a full re-clustering.

A rebuild clusters every quote from scratch, so new thresholds or a better extractor really
change the tips. Each new cluster then takes the id of the old tip most of its quotes (by
content hash) belonged to, biggest clusters first. When a reviewer merged tips, every cluster
that votes for the survivor joins it, so a merge survives re-clustering; otherwise a split-off
cluster gets a fresh id from its first quote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence


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
