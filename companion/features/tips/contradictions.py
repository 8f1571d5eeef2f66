"""Links between tips that advise opposite things on one subject.

"On the same subject" is the raw cosine of two quotes' vectors plus the lexical bonus (not the
centred cosine used for "the same action": two opposed quotes share their subject and differ in
what they ask, and centring removes exactly the shared subject); pairs that close are judged by
the learned opposed-advice score (`opposition`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from companion.features.tips.clustering import Member, term_overlap
from companion.features.tips.opposition import opposed_learned
from companion.features.tips.weights import uniform_terms


def contradiction_pairs(
    members: list[Member],
    threshold: float,
    among: set[str] | None = None,
    lexical_weight: float = 0.0,
    verdicts: dict[tuple[str, str], bool] | None = None,
) -> set[tuple[str, str]]:
    """Pairs of tips whose most on-subject pair of quotes advise opposite things.

    Args:
        members: every stored quote.
        threshold: closeness (raw cosine + lexical bonus) from which two quotes are about the
            same thing.
        among: only pairs with at least one of these tips (the ones an update touched), so an
            update costs (its quotes x all quotes), not (all quotes)^2.
        lexical_weight: bonus per unit of shared content terms.
        verdicts: remembered verdicts of quote pairs (they depend only on the two quotes, their
            vectors and the settings): an update re-reads pairs the update before judged.
    """
    verdicts = {} if verdicts is None else verdicts
    if len(members) < 2:
        return set()
    matrix = np.stack([np.asarray(m.vector, dtype=np.float32) for m in members])
    weighed: dict[int, Mapping[str, float]] = {}

    def terms(i: int) -> Mapping[str, float]:  # only the close pairs need terms
        if i not in weighed:
            weighed[i] = members[i].terms or uniform_terms(members[i].quote)
        return weighed[i]

    floor = threshold - lexical_weight
    if among is None:
        close = np.argwhere(np.triu(matrix @ matrix.T >= floor, k=1))
    else:
        rows = np.array([i for i, m in enumerate(members) if m.tip_id in among], dtype=np.int64)
        if not len(rows):
            return set()
        hits = np.argwhere(matrix[rows] @ matrix.T >= floor)
        close = np.stack([rows[hits[:, 0]], hits[:, 1]], axis=1) if len(hits) else hits
        # A pair with both quotes among the touched rows comes up twice: keep one.
        touched = np.zeros(len(members), dtype=bool)
        touched[rows] = True
        close = close[~touched[close[:, 1]] | (close[:, 0] < close[:, 1])] if len(close) else close
    if len(close):  # quotes of one tip never link it to itself
        tip_of = {t: n for n, t in enumerate(sorted({m.tip_id for m in members}))}
        tips = np.array([tip_of[m.tip_id] for m in members], dtype=np.int64)
        close = close[tips[close[:, 0]] != tips[close[:, 1]]]
    # Each pair of tips is judged on its most on-subject pair of quotes only: a big tip holds
    # many quotes, and judging every close pair links it to everything near it by chance.
    best: dict[tuple[str, str], tuple[float, float, int, int]] = {}
    for i, j in close.tolist():
        key = (min(members[i].tip_id, members[j].tip_id), max(members[i].tip_id, members[j].tip_id))
        raw = float(matrix[i] @ matrix[j])
        score = raw + (lexical_weight * term_overlap(terms(i), terms(j)) if lexical_weight else 0.0)
        if score >= threshold and (key not in best or score > best[key][0]):
            best[key] = (score, raw, i, j)
    pairs: set[tuple[str, str]] = set()
    for key, (_, raw, i, j) in best.items():
        a, b = members[i], members[j]
        pair = (min(a.quote, b.quote), max(a.quote, b.quote))
        if pair not in verdicts:  # close enough to be judged; the learned score decides
            overlap = term_overlap(terms(i), terms(j))
            verdicts[pair] = opposed_learned(a.quote, b.quote, raw, overlap)
        if verdicts[pair]:
            pairs.add(key)
    return pairs
