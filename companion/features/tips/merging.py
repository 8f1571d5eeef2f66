"""Second pass after a session is placed: tips that paraphrase each other become one.

Quotes are placed one at a time (`clustering.TipIndex.match`), so a tip started by a quote that
later turns out to be one of several paraphrases cannot take in a paraphrase that arrived
before it: the first one stays a tip of its own and the session count of the advice is short by
one. After each session, every pair of tips is compared as clusters (average closeness of their
quotes: centred cosine + `lexical_weight` x IDF term overlap, as in matching) and the closest
pair of mutual nearest neighbours at or above `merge_similarity` is merged, repeatedly (a tip
near several others stays apart, so merges cannot chain). A tip is compared by its clear
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
    averages: dict[tuple[str, str], float | None] = {}
    while True:
        ids, sims = _tip_closeness(groups, strong, unit)
        best = _closest_pair(groups, strong, members, close, terms, settings, keep, averages,
                             ids, sims)
        if best is None:
            return _flatten(out)
        gone, survivor = best
        groups[survivor] = sorted(groups[survivor] + groups.pop(gone))
        out[gone] = survivor
        for key in [k for k in averages if survivor in k or gone in k]:
            del averages[key]


def _tip_closeness(
    groups: Mapping[str, list[int]], strong: Sequence[bool], unit: Any
) -> tuple[list[str], np.ndarray]:
    """The tip ids, sorted, and the average centred cosine of every two tips' clear quotes.

    The average of the cosines between two sets of rows is the dot product of their means.
    """
    ids = sorted(groups)
    means = np.stack([unit[_voices(groups[t], strong)].mean(axis=0) for t in ids])
    return ids, means @ means.T


def _standouts(sims: np.ndarray, z: float) -> np.ndarray:
    """Which pairs of tips are each unusually close to the other among all the tips.

    A pair stands out when, for both tips, its closeness lies `z` standard deviations above
    that tip's mean closeness to every other tip: in a big corpus some tip is always near any
    given one by chance, and a fixed bar alone merges those.
    """
    if len(sims) < 3:
        return np.ones_like(sims, dtype=bool)
    others = sims.copy()
    np.fill_diagonal(others, np.nan)
    centre = np.nanmean(others, axis=1, keepdims=True)
    spread = np.nanstd(others, axis=1, keepdims=True) + 1e-6
    scores = (sims - centre) / spread
    return np.asarray(np.minimum(scores, scores.T) >= z)


def _voices(rows: list[int], strong: Sequence[bool]) -> list[int]:
    """The quotes a tip is compared by: its clear advice, or all when none is clear."""
    clear = [i for i in rows if strong[i]]
    return clear or rows


def _average(
    a: str, b: str, groups: Mapping[str, list[int]], strong: Sequence[bool],
    members: Sequence[Member], close: Any, terms: Sequence[Mapping[str, float]],
    settings: TipsSettings,
) -> float | None:
    """Average closeness of two tips' clear quotes; None when they cannot merge at all.

    None when they share a session (advice given side by side in one session is two pieces of
    advice) or when even the full lexical bonus could not lift them to `merge_similarity`.
    """
    if {members[i].session for i in groups[a]} & {members[j].session for j in groups[b]}:
        return None
    left, right = _voices(groups[a], strong), _voices(groups[b], strong)
    if close[np.ix_(left, right)].mean() < settings.merge_similarity - settings.lexical_weight:
        return None
    links = [float(close[i, j]) + settings.lexical_weight * term_overlap(terms[i], terms[j])
             for i in left for j in right]
    return sum(links) / len(links)


def _closest_pair(
    groups: Mapping[str, list[int]],
    strong: Sequence[bool],
    members: Sequence[Member],
    close: Any,
    terms: Sequence[Mapping[str, float]],
    settings: TipsSettings,
    keep: Callable[[str], bool],
    averages: dict[tuple[str, str], float | None],
    ids: list[str],
    sims: np.ndarray,
) -> tuple[str, str] | None:
    """(merged away, survivor) of the closest mergeable pair of tips, or None.

    Only mutual nearest neighbours merge: each must be the other's closest tip. A small tip
    near several others (a remark that fits many pieces of advice) then stays apart, and
    merges cannot chain one tip into a heap.
    """
    nearest: dict[str, tuple[float, str]] = {}
    floor = settings.merge_similarity - settings.lexical_weight
    # Only pairs whose cosines alone come within the lexical bonus of the bar can reach it.
    for i, j in np.argwhere(np.triu(sims >= floor, k=1)):
        a, b = ids[int(i)], ids[int(j)]
        if (a, b) not in averages:
            averages[(a, b)] = _average(a, b, groups, strong, members, close, terms, settings)
        average = averages[(a, b)]
        if average is None:
            continue
        for one, other in ((a, b), (b, a)):
            if one not in nearest or average > nearest[one][0]:
                nearest[one] = (average, other)
    stand = _standouts(sims, settings.merge_z)
    row = {t: n for n, t in enumerate(ids)}
    pairs = sorted(((avg, a, b) for a, (avg, b) in nearest.items()
                    if a < b and nearest.get(b, (0.0, ""))[1] == a
                    and avg >= settings.merge_similarity and stand[row[a], row[b]]),
                   reverse=True)
    for _, a, b in pairs:
        if _opposed_inside(_voices(groups[a], strong), _voices(groups[b], strong), members):
            continue
        gone, survivor = _order(a, b, groups, keep)
        if gone is not None:
            return gone, survivor
    return None


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
