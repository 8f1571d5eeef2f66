"""When should peers answer "nobody"? The session gate on QMSum train topics and off-topic pairs.

Peers reads a session as discussing a topic (and so as giving anyone evidence) when one turn
holds `evidence_lexical_share` of the topic's terms (IDF-weighted), or one turn says
`evidence_distinct_terms` different topic terms, or one chunk reaches `min_relevance`
(`features/peers/expert_ranking.py`). Every QMSum train topic is discussed in its own meeting
(a gate that closes there drops the right people: a false "nobody"); the same topic asked of a
meeting of another domain (AMI product design, ICSI research, parliamentary committee) is not
discussed there (a gate that opens gives evidence that is not: a false suggestion). Each topic
is asked of its meeting and of one meeting of each other domain (chosen by the topic's index).

Printed per gate setting: the share of topics whose own meeting passes, the share of off-domain
pairs that pass, and Youden's J (the first minus the second). Train only; val is never read.

Run: `python -m evals.evidence_gate_cv [--data PKL] [--out FILE]` (last run:
`evals/results/evidence_gate_cv.md`).
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.core.terms import content_terms
from companion.features.peers.expertise import relevance_from_terms
from evals.expert_data import CACHE, PreparedMeeting, PreparedTopic
from evals.expert_gold import domain_of

SHARES = (0.2, 0.25, 0.3, 0.35, 0.4)
DISTINCT = (0, 2, 3)
COSINES = (0.25, 0.3, 0.35, 0.4, 1.01)
DEPLOYED = (0.3, 2, 0.3)


@dataclass
class Pair:
    """What the gate reads of one topic asked of one meeting."""

    own: bool
    share: float
    distinct: int
    cosine: float


def read(t: PreparedTopic, m: PreparedMeeting, own: bool) -> Pair:
    """The best turn share, most distinct topic terms in a turn and best chunk cosine."""
    q = set(content_terms(t.topic))
    sets = [set(c) for c in m.terms]
    share = relevance_from_terms(q, sets)
    rows = np.asarray(m.matrix, dtype=np.float32)
    v = np.asarray(t.vector, dtype=np.float32)
    cos = rows @ v / (np.linalg.norm(rows, axis=1) * (float(np.linalg.norm(v)) or 1.0) + 1e-9)
    return Pair(own, float(share.max()) if len(share) else 0.0,
                max((len(q & s) for s in sets), default=0), float(cos.max()) if len(cos) else 0.0)


def passes(p: Pair, share: float, distinct: int, cosine: float) -> bool:
    """The gate as `expert_ranking._discussed` applies it."""
    return (p.share >= share or (distinct > 0 and p.distinct >= distinct)
            or p.cosine >= cosine)


def pairs(meetings: dict[str, PreparedMeeting], topics: list[PreparedTopic]) -> list[Pair]:
    """Each topic with its own meeting and one meeting of each other domain."""
    by_domain: dict[str, list[str]] = {}
    for mid in sorted(meetings):
        by_domain.setdefault(domain_of(mid), []).append(mid)
    out = []
    for i, t in enumerate(topics):
        out.append(read(t, meetings[t.meeting_id], True))
        for domain, mids in sorted(by_domain.items()):
            if domain != domain_of(t.meeting_id):
                out.append(read(t, meetings[mids[i % len(mids)]], False))
    return out


def main() -> None:
    """Print the gate's pass rates for every setting, the deployed one marked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "expert_train.pkl")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    meetings, topics = pickle.loads(args.data.read_bytes())
    found = pairs(meetings, topics)
    own = [p for p in found if p.own]
    other = [p for p in found if not p.own]
    lines = [f"## Session gate on QMSum train: {len(own)} topics in their own meeting, "
             f"{len(other)} off-domain pairs\n",
             "| share | distinct | cosine | own meeting passes | off-domain passes | J |",
             "|---:|---:|---:|---:|---:|---:|"]
    for point in itertools.product(SHARES, DISTINCT, COSINES):
        tp = sum(passes(p, *point) for p in own) / len(own)
        fp = sum(passes(p, *point) for p in other) / len(other)
        mark = " (deployed)" if point == DEPLOYED else ""
        lines.append(f"| {point[0]} | {point[1]} | {point[2]}{mark} | {tp:.3f} | {fp:.3f} "
                     f"| {tp - fp:.3f} |")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
