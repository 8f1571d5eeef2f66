"""Peer suggestions against gold: the sample corpus, and expert finding on QMSum val.

What is measured, defined once here:

- hit@k: the share of topics where a gold person is among the first k suggested.
- MRR: the mean over topics of 1 / rank of the first gold person (0 when none is ranked).
- Samples (`samples/gold/peers.jsonl`): gold is a list of people, best first; any of them is a
  hit (a stricter row counts only the first-listed person). A topic with an empty list is a
  "nobody" topic: right when nobody is suggested. Those topics are reported apart and left out
  of hit@k and MRR.
- QMSum val (`derived/expert_finding_val.jsonl`, kind `topic_speaker_share`): each topic belongs
  to one meeting, and its gold is the speaker with the largest share of words in the topic's
  gold spans, so ranking is scoped to that meeting (its speakers are the candidates). Speaker labels
  are those the QMSum parser gives ("Marketing (ES2006)", "Grad A (Bed002)"); committee
  labels lose a trailing parenthetical, as the derived file does. Every label is a
  recommendable person. Two baselines run on the same stores in the same run:
  `talkative` ranks the meeting's speakers by words spoken in the whole meeting; `dense`
  ranks speakers by how many of the top dense chunks (retrieval without peer ranking) they
  speak in. `ours` is scored as deployed: when it says nobody (no turn of the meeting holds
  `peers.evidence_lexical_share` of the topic's terms or `peers.evidence_distinct_terms` of
  them, and no chunk reaches `peers.min_relevance`), or the gold speaker has no evidence, the
  topic counts as a miss.
  `ours (ranking only)` is the same ranking with that gate off, like the baselines, which
  always rank everyone. Ours' weights are fitted on QMSum train (`evals/fit_expertise.py`,
  out-of-fold figures in `evals/results/expertise_fit.json`), never on val.

The stores are built once in a cache folder (default: a fixed folder under the system temp dir)
and reused; re-running only embeds what changed.

Run: `python -m evals.peers_eval [--part samples|qmsum|all] [--cache DIR]`.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from companion.app import build_pipeline
from companion.core.settings import Settings
from companion.features.peers.people_source import SpeakerLabelResolver
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context
from companion.retrieval.hybrid import SearchFilters
from ingest.parsers.qmsum import speaker_labeller
from ingest.parsers.text import clean_text, slugify

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = SAMPLES / "gold" / "peers.jsonl"
PEOPLE = SAMPLES / "people.yaml"
QMSUM = ROOT.parent / "shared" / "data" / "qmsum"
QMSUM_VAL = QMSUM / "val"
EXPERT_FINDING = QMSUM / "derived" / "expert_finding_val.jsonl"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "companion-peers-eval"
DENSE_BASELINE_CHUNKS = 10
# Topics no sample session covers, for calibrating the "nobody" threshold (not gold).
OFF_TOPIC = (
    "baking sourdough bread at home",
    "upgrading a Kubernetes cluster",
    "learning to play the violin",
    "choosing running shoes for a marathon",
    "configuring a VPN on a laptop",
    "planting tomatoes in a greenhouse",
)


@dataclass
class Scores:
    """hit@1, hit@3 and MRR over a list of ranks (None: not ranked)."""

    ranks: list[int | None] = field(default_factory=list)

    def add(self, rank: int | None) -> None:
        """Record the 1-based rank of the first gold item for one topic."""
        self.ranks.append(rank)

    def hit(self, k: int) -> float:
        """Share of topics with a gold item in the first k."""
        return sum(r is not None and r <= k for r in self.ranks) / max(1, len(self.ranks))

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank."""
        return sum(1 / r for r in self.ranks if r) / max(1, len(self.ranks))

    def row(self, name: str) -> str:
        """A table row."""
        return (f"| {name:28} | {len(self.ranks):4} | {self.hit(1):5.3f} | {self.hit(3):5.3f} "
                f"| {self.mrr:5.3f} |")


TABLE_HEAD = (
    "| system                       |    n | hit@1 | hit@3 |   MRR |\n|---|---:|---:|---:|---:|"
)


def first_rank(ranked: Sequence[str], gold: set[str]) -> int | None:
    """The 1-based rank of the first gold item, or None."""
    return next((i for i, item in enumerate(ranked, 1) if item in gold), None)


# -- samples ----------------------------------------------------------------------------------


def open_samples(cache: Path, base: Context | None = None) -> Context:
    """The sample corpus with people.yaml loaded, built once in `cache/samples`."""
    ctx = Context(Settings(data_dir=cache / "samples"), show_progress=True,
                  embeddings=base.embeddings if base else None)
    report = build_pipeline(ctx).ingest([SAMPLES / "sessions"])
    if not report.ok:
        raise SystemExit(f"sample ingest failed: {report.failed}")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(PEOPLE), source=str(PEOPLE))
    return ctx


def evaluate_samples(ctx: Context) -> dict[str, object]:
    """hit@1/hit@3/MRR on the sample gold, the nobody topics, and quote verification."""
    service = PeerService(ctx, record=False)
    scores = Scores()
    strict = Scores()
    nobody_right: list[bool] = []
    quotes = verified = 0
    print("\n## Samples: per topic\n")
    print("| topic | shadow | gold | ours (top 3) | rank |\n|---|---|---|---|---:|")
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        result = service.recommend(row["topic"], shadow=row.get("shadow", False), limit=3)
        ranking = service.rank(row["topic"], shadow=row.get("shadow", False))
        ranked = [p.person.id for p in ranking.people]
        for s in result.suggestions:
            quotes += len(s.evidence)
            verified += sum(ctx.verifier.citation_is_valid(e) for e in s.evidence)
        gold = row["people"]
        if not gold:
            nobody_right.append(not result.suggestions)
            rank_text = "nobody ✓" if not result.suggestions else "suggested someone ✗"
        else:
            rank = first_rank(ranked, set(gold))
            scores.add(rank)
            strict.add(first_rank(ranked, {gold[0]}))
            rank_text = str(rank or "-")
        shown = ", ".join(s.person_id for s in result.suggestions) or "(nobody)"
        print(f"| {row['topic']} | {row.get('shadow', False)} | {', '.join(gold) or '(nobody)'} "
              f"| {shown} | {rank_text} |")
    print("\n## Samples: summary\n")
    print(TABLE_HEAD)
    print(scores.row("ours: any gold person"))
    print(strict.row("ours: the first gold person"))
    print(f"\nnobody topics answered with nobody: {sum(nobody_right)}/{len(nobody_right)}; "
          f"quotes verified: {verified}/{quotes}")
    return {"hit@1": scores.hit(1), "hit@3": scores.hit(3), "mrr": scores.mrr,
            "strict": {"hit@1": strict.hit(1), "hit@3": strict.hit(3), "mrr": strict.mrr},
            "nobody": f"{sum(nobody_right)}/{len(nobody_right)}", "quotes": f"{verified}/{quotes}"}


def calibrate(ctx: Context) -> None:
    """Best eligible relevance per sample topic and per off-topic topic (threshold placement)."""
    service = PeerService(ctx, record=False)
    threshold = ctx.settings.peers.min_relevance
    service.settings = service.settings.model_copy(update={"min_relevance": 0.0})
    print(f"\n## Calibration of the nobody threshold (current {threshold:.2f})\n")
    rows = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    topics = [(r["topic"], bool(r["people"])) for r in rows] + [(t, False) for t in OFF_TOPIC]
    for topic, covered in topics:
        best = service.rank(topic).best_relevance
        print(f"- {best:.3f} {'covered' if covered else 'NOT covered':11} {topic}")


# -- QMSum ------------------------------------------------------------------------------------


def open_qmsum(cache: Path, base: Context | None = None) -> Context:
    """The 35 QMSum val meetings, ingested once in `cache/qmsum`."""
    ctx = Context(Settings(data_dir=cache / "qmsum"), show_progress=True,
                  embeddings=base.embeddings if base else None)
    report = build_pipeline(ctx).ingest([QMSUM_VAL])
    if not report.ok:
        raise SystemExit(f"QMSum ingest failed: {report.failed}")
    return ctx


_SERIES_SUFFIX = re.compile(r" \((?:ES|IS|TS)\d{4}\)$| \(B[a-z]{2}\d{3}\)$")


def canonical_label(label: str) -> str:
    """One id per person: AMI/ICSI labels as the parser writes them; others lose "(...)"."""
    if _SERIES_SUFFIX.search(label):
        return label
    return label.split(" (")[0].strip() or label


def gold_label(meeting_id: str, raw: str) -> str:
    """The derived file's speaker label as the QMSum parser labels it in the catalog."""
    return canonical_label(speaker_labeller(meeting_id)(clean_text(raw)))


def talkative_ranking(ctx: Context, session_id: str, canonical: Callable[[str], str]) -> list[str]:
    """Speakers of the meeting by words spoken, most first."""
    words: Counter[str] = Counter()
    for turn in ctx.catalog.turns(session_id):
        if turn.speaker:
            words[canonical(turn.speaker)] += len(turn.text.split())
    return [label for label, _ in words.most_common()]


def dense_ranking(ctx: Context, topic: str, session_id: str,
                  canonical: Callable[[str], str]) -> list[str]:
    """Speakers by how many of the top dense chunks they speak in (ties: earliest chunk)."""
    retrieval = ctx.retriever.retrieve(
        topic, SearchFilters(session_id=session_id), limit=DENSE_BASELINE_CHUNKS, mode="dense"
    )
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for rank, chunk in enumerate(retrieval.chunks):
        for speaker in dict.fromkeys(canonical(s) for s in chunk.speakers):
            counts[speaker] += 1
            first.setdefault(speaker, rank)
    return sorted(counts, key=lambda s: (-counts[s], first[s]))


def evaluate_qmsum(ctx: Context) -> dict[str, dict[str, float]]:
    """Ours against the two baselines on every `topic_speaker_share` topic of QMSum val."""
    rows = [json.loads(x) for x in EXPERT_FINDING.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["kind"] == "topic_speaker_share"]
    service = PeerService(ctx, resolver=SpeakerLabelResolver(canonical_label), record=False)
    ungated = PeerService(ctx, resolver=SpeakerLabelResolver(canonical_label), record=False)
    ungated.settings = ungated.settings.model_copy(update={"min_relevance": -1.0})
    systems = ("ours", "ours (ranking only)", "talkative", "dense")
    overall = {name: Scores() for name in systems}
    by_domain: dict[str, dict[str, Scores]] = {}
    missing_gold = abstained = 0
    for row in rows:
        session_id = slugify(row["meeting_id"])
        gold = gold_label(row["meeting_id"], row["speaker_word_share"][0][0])
        speakers = {canonical_label(t.speaker) for t in ctx.catalog.turns(session_id) if t.speaker}
        if gold not in speakers:
            missing_gold += 1
        ranking = service.rank(row["topic"], filters=SearchFilters(session_id=session_id))
        abstained += not ranking.people
        ranked = {
            "ours": [p.person.id for p in ranking.people],
            "ours (ranking only)": [p.person.id for p in ungated.rank(
                row["topic"], filters=SearchFilters(session_id=session_id)).people],
            "talkative": talkative_ranking(ctx, session_id, canonical_label),
            "dense": dense_ranking(ctx, row["topic"], session_id, canonical_label),
        }
        domain = by_domain.setdefault(row["domain"], {name: Scores() for name in systems})
        for name in systems:
            rank = first_rank(ranked[name], {gold})
            overall[name].add(rank)
            domain[name].add(rank)
    print(f"\n## QMSum val expert finding ({len(rows)} topics, scoped to the topic's meeting)\n")
    print(TABLE_HEAD)
    for name in systems:
        print(overall[name].row(name))
    for domain_name, scores in sorted(by_domain.items()):
        for name in systems:
            print(scores[name].row(f"{domain_name}: {name}"[:28]))
    print(f"\ngold speaker not found among the meeting's labels: {missing_gold}; "
          f"ours said nobody: {abstained}")
    return {name: {"hit@1": s.hit(1), "hit@3": s.hit(3), "mrr": s.mrr}
            for name, s in overall.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the chosen parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("samples", "qmsum", "all"), default="all")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="folder for the ingested stores, reused across runs")
    parser.add_argument("--calibrate", action="store_true",
                        help="print the relevance the nobody threshold is set against")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write figures as JSON")
    args = parser.parse_args(argv)
    figures: dict[str, object] = {}
    base: Context | None = None
    if args.part in ("samples", "all"):
        base = open_samples(args.cache)
        figures["samples"] = evaluate_samples(base)
        if args.calibrate:
            calibrate(base)
    if args.part in ("qmsum", "all"):
        figures["qmsum"] = evaluate_qmsum(open_qmsum(args.cache, base))
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
