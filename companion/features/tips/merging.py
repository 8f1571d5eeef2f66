"""Second pass after a session is placed: tips that paraphrase each other become one.

Quotes are placed one at a time (`clustering.TipIndex.match`), so a tip started by a quote that
later turns out to be one of several paraphrases cannot take in a paraphrase that arrived
before it: the first one stays a tip of its own and the session count of the advice is short by
one. After each session, every pair of tips is compared as clusters (average closeness of their
quotes: centred cosine + `lexical_weight` x IDF term overlap, as in matching) and the closest
pair at or above `merge_similarity` is merged, repeatedly. A tip is compared by its clear
advice only (quotes of strength at least `weak_strength`, see `strength`), so a stray remark
that joined it does not drag its average down. Two tips never merge when a pair of their
quotes advises opposite things (`opposition.keeps_apart`), nor when they share a session: a
split-off paraphrase is advice given in another session, while two tips that both hold
quotes of one session are, nearly always, two pieces of advice given side by side.

The survivor is the tip with more quotes (ties: the smaller id), so a rebuild replaying the
sessions makes the merges updates made. Pure numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from companion.core.settings import TipsSettings
from companion.features.tips.clustering import Member, term_overlap
from companion.features.tips.opposition import keeps_apart
from companion.features.tips.similarity import Centroid, centred
from companion.features.tips.strength import strengths
from companion.features.tips.weights import Weigher


def merges(
    members: Sequence[Member],
    settings: TipsSettings,
    weigh: Weigher,
    keep: Callable[[str], bool] = lambda _tip: False,
) -> dict[str, str]:
    """Which tips to fold into which: merged tip id -> survivor id (empty when none).

    Args:
        members: every quote with its (resolved) tip id, vector and session.
        settings: `merge_similarity`, `lexical_weight`, `centroid_shrink`.
        weigh: weighted content terms of a quote (IDF up to the session just placed).
        keep: tips that must not be merged away (a reviewer's tip); they may still survive.
    """
    if settings.merge_similarity >= 1.0 or len(members) < 2:
        return {}
    rows = np.stack([np.asarray(m.vector, dtype=np.float32) for m in members])
    centroid = Centroid(rows.shape[1], settings.centroid_shrink)
    centroid.add(rows)
    unit = centred(rows, centroid.vector)
    close = unit @ unit.T
    terms = [weigh(m.quote) for m in members]
    power = strengths(rows)
    strong = [(float(power[i]) if m.strength is None else m.strength) >= settings.weak_strength
              for i, m in enumerate(members)]
    groups: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        groups.setdefault(m.tip_id, []).append(i)
    out: dict[str, str] = {}
    while True:
        best = _closest_pair(groups, strong, members, close, terms, settings, keep)
        if best is None:
            return _flatten(out)
        gone, survivor = best
        groups[survivor] = sorted(groups[survivor] + groups.pop(gone))
        out[gone] = survivor


def _voices(rows: list[int], strong: Sequence[bool]) -> list[int]:
    """The quotes a tip is compared by: its clear advice, or all when none is clear."""
    clear = [i for i in rows if strong[i]]
    return clear or rows


def _closest_pair(
    groups: Mapping[str, list[int]],
    strong: Sequence[bool],
    members: Sequence[Member],
    close: Any,
    terms: Sequence[Mapping[str, float]],
    settings: TipsSettings,
    keep: Callable[[str], bool],
) -> tuple[str, str] | None:
    """(merged away, survivor) of the closest mergeable pair of tips, or None."""
    ids = sorted(groups)
    found: tuple[float, str, str] | None = None
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            sessions_a = {members[i].session for i in groups[a]}
            if sessions_a & {members[j].session for j in groups[b]}:
                continue  # advice given side by side in one session is two pieces of advice
            left, right = _voices(groups[a], strong), _voices(groups[b], strong)
            block = close[np.ix_(left, right)]
            floor = settings.merge_similarity - settings.lexical_weight
            if block.mean() < floor:
                continue  # the lexical bonus cannot lift the average to the bar
            links = [float(close[i, j]) + settings.lexical_weight
                     * term_overlap(terms[i], terms[j]) for i in left for j in right]
            average = sum(links) / len(links)
            bar = settings.merge_similarity
            if average < bar or (found is not None and average <= found[0]):
                continue
            if _opposed_inside(left, right, members):
                continue
            gone, survivor = _order(a, b, groups, keep)
            if gone is None:
                continue
            found = (average, gone, survivor)
    return None if found is None else (found[1], found[2])


def _opposed_inside(left: Sequence[int], right: Sequence[int], members: Sequence[Member]) -> bool:
    """True when a pair of quotes across the two tips advises opposite things."""
    return any(keeps_apart(members[i].quote, members[j].quote) for i in left for j in right)


def _order(
    a: str, b: str, groups: Mapping[str, list[int]], keep: Callable[[str], bool]
) -> tuple[str | None, str]:
    """(merged away, survivor): the bigger tip survives (ties: the smaller id)."""
    survivor, gone = (a, b) if (len(groups[a]), b) >= (len(groups[b]), a) else (b, a)
    if keep(gone):
        if keep(survivor):
            return None, survivor
        survivor, gone = gone, survivor
    return gone, survivor


def _flatten(redirects: dict[str, str]) -> dict[str, str]:
    """Every merged id pointing at its final survivor."""
    out = {}
    for gone in redirects:
        target = redirects[gone]
        while target in redirects:
            target = redirects[target]
        out[gone] = target
    return out
