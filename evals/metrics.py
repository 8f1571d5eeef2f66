"""Pure metric functions: retrieval of gold spans, abstention as a class, answer overlap.

Definitions (also in evals/README.md):

- A ranked result (session, turn range) *covers* a gold item when it overlaps one of the item's
  spans (`GoldSpan.overlaps`).
- recall@k: share of a question's gold items covered by the first k results.
- hit@k: 1 when any of the first k results covers any gold item.
- MRR: mean of 1 / rank of the first result that covers a gold item (0 when none of the ranked
  results does).
- nDCG@k: binary relevance (a result is relevant when it covers a gold item); the ideal ranking
  puts every relevant chunk *of that system's index* first, so chunkings of different sizes are
  each compared with their own best.
- Abstention: abstaining is the positive class; precision = right abstentions / abstentions,
  recall = right abstentions / unanswerable questions. An empty denominator gives None, not 0.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from evals.datasets import GoldItem

KS = (1, 3, 5, 10)
Ranked = tuple[str, int, int]
"""A ranked result: (session id, first turn, last turn)."""


def covered_items(ranked: Sequence[Ranked], gold: Sequence[GoldItem]) -> list[set[int]]:
    """For each ranked result, the indexes of the gold items it covers."""
    return [
        {i for i, item in enumerate(gold) if any(span.overlaps(s, a, b) for span in item)}
        for s, a, b in ranked
    ]


def recall_at_k(covered: Sequence[set[int]], n_gold: int, k: int) -> float:
    """Share of the gold items covered by the first k results."""
    if n_gold == 0:
        raise ValueError("recall needs at least one gold item")
    found: set[int] = set().union(*covered[:k]) if covered[:k] else set()
    return len(found) / n_gold


def hit_at_k(covered: Sequence[set[int]], k: int) -> bool:
    """Whether any of the first k results covers a gold item."""
    return any(covered[:k])


def reciprocal_rank(covered: Sequence[set[int]]) -> float:
    """1 / rank of the first result covering a gold item; 0 when none does."""
    return next((1.0 / rank for rank, c in enumerate(covered, 1) if c), 0.0)


def ndcg_at_k(relevant: Sequence[bool], relevant_total: int, k: int = 10) -> float:
    """Binary nDCG@k against an ideal ranking of `relevant_total` relevant results."""
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(relevant[:k]) if rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, relevant_total)))
    return dcg / ideal if ideal else 0.0


@dataclass
class RetrievalScores:
    """One system's scores on one question."""

    recall: dict[int, float]
    hit: dict[int, bool]
    rr: float
    ndcg: float
    first_hit_rank: int | None
    precision5: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-ready."""
        out: dict[str, Any] = {f"recall@{k}": round(v, 4) for k, v in self.recall.items()}
        out.update({f"hit@{k}": v for k, v in self.hit.items()})
        out.update(
            mrr=round(self.rr, 4), ndcg10=round(self.ndcg, 4), first_hit_rank=self.first_hit_rank
        )
        out["precision@5"] = round(self.precision5, 4)
        return out


def score_ranking(
    ranked: Sequence[Ranked], gold: Sequence[GoldItem], relevant_total: int
) -> RetrievalScores:
    """recall@k, hit@k (k in KS), reciprocal rank and nDCG@10 of one ranking."""
    covered = covered_items(ranked, gold)
    first = next((rank for rank, c in enumerate(covered, 1) if c), None)
    return RetrievalScores(
        recall={k: recall_at_k(covered, len(gold), k) for k in KS},
        hit={k: hit_at_k(covered, k) for k in KS},
        rr=reciprocal_rank(covered),
        ndcg=ndcg_at_k([bool(c) for c in covered], relevant_total, 10),
        first_hit_rank=first,
        precision5=sum(bool(c) for c in covered[:5]) / 5,
    )


def mean_scores(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means of recall@k, hit@k, MRR and nDCG@10 over per-question score dicts, with n."""
    out: dict[str, Any] = {"n": len(rows)}
    if not rows:
        return out
    for key in [*(f"recall@{k}" for k in KS), *(f"hit@{k}" for k in KS), "mrr", "ndcg10"]:
        out[key] = round(sum(float(r[key]) for r in rows) / len(rows), 4)
    if all("precision@5" in r for r in rows):
        out["precision@5"] = round(sum(float(r["precision@5"]) for r in rows) / len(rows), 4)
    return out


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve of scores against labels (ties count half); None without both."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def _missed(scores: dict[str, Any]) -> dict[str, Any]:
    """A question's scores had nothing been retrieved (an abstention counts as a miss)."""
    return {
        **{k: (False if k.startswith("hit@") else 0.0) for k in scores if "@" in k},
        "mrr": 0.0,
        "ndcg10": 0.0,
    }


# -- abstention -------------------------------------------------------------------------------


@dataclass
class AbstentionCounts:
    """The confusion matrix of abstaining (positive) against answering."""

    abstained_unanswerable: int = 0  # true positive
    abstained_answerable: int = 0  # false positive
    answered_unanswerable: int = 0  # false negative
    answered_answerable: int = 0  # true negative

    def add(self, unanswerable: bool, abstained: bool) -> None:
        """Count one question."""
        if abstained and unanswerable:
            self.abstained_unanswerable += 1
        elif abstained:
            self.abstained_answerable += 1
        elif unanswerable:
            self.answered_unanswerable += 1
        else:
            self.answered_answerable += 1

    def scores(self) -> dict[str, Any]:
        """Precision, recall and F1 of abstaining, and the matrix itself."""
        tp, fp = self.abstained_unanswerable, self.abstained_answerable
        fn, tn = self.answered_unanswerable, self.answered_answerable
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1: float | None = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        total = tp + fp + fn + tn
        return {
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(f1),
            "accuracy": _round((tp + tn) / total if total else None),
            "confusion": {
                "abstained_unanswerable": tp,
                "abstained_answerable": fp,
                "answered_unanswerable": fn,
                "answered_answerable": tn,
            },
        }


def abstention_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """Abstention scores of (unanswerable, abstained) pairs."""
    counts = AbstentionCounts()
    for unanswerable, abstained in pairs:
        counts.add(unanswerable, abstained)
    return counts.scores()


def threshold_sweep(
    similarities: Sequence[tuple[float, bool]], thresholds: Sequence[float]
) -> list[dict[str, Any]]:
    """Abstention scores if the service abstained below each threshold of best similarity.

    Args:
        similarities: (best cosine of the question to any chunk, unanswerable) per question.
        thresholds: the cut-offs to try.
    """
    rows = []
    for t in thresholds:
        s = abstention_scores((unanswerable, sim < t) for sim, unanswerable in similarities)
        rows.append({"threshold": round(t, 3), **{k: s[k] for k in ("precision", "recall", "f1")}})
    return rows


# -- answers ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _rouge() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure of an answer against a reference answer."""
    if not prediction.strip() or not reference.strip():
        return 0.0
    return float(_rouge().score(reference, prediction)["rougeL"].fmeasure)


@dataclass
class Spread:
    """Mean and spread of a figure over repeated runs."""

    values: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """Mean, or None without values."""
        return statistics.fmean(self.values) if self.values else None

    @property
    def std(self) -> float:
        """Sample standard deviation (0 with fewer than two runs)."""
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mean, std, min, max and runs."""
        if not self.values:
            return {"mean": None, "std": None, "runs": 0}
        return {
            "mean": _round(self.mean),
            "std": _round(self.std),
            "min": _round(min(self.values)),
            "max": _round(max(self.values)),
            "runs": len(self.values),
        }


def share(part: int, whole: int) -> float | None:
    """The share `part / whole` rounded, or None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- aggregation of per-question records -------------------------------------------------------

SYSTEMS = ("product", "dense-only", "bm25-only", "naive-langchain")
SWEEP = [round(0.10 + 0.02 * i, 2) for i in range(26)]


def summarise(records: Sequence[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Every aggregate figure of the report from the per-question records."""
    answerable = [r for r in records if r["kind"] == "answerable" and r["retrieval"]]
    # Abstained answerable questions are their own class: counted in the abstention matrix, left
    # out of the retrieval headline (for every system, so all are scored on the same questions).
    answered = [r for r in answerable if not r["runs"][0]["abstained"]]
    systems = [s for s in SYSTEMS if any(s in r["retrieval"] for r in answerable)]
    retrieval = {name: _retrieval(answered, name) for name in systems}
    retrieval_all = {
        name: mean_scores([r["retrieval"][name] for r in answerable]) for name in systems
    }
    # The headline: every answerable question, and the product's abstentions count as misses.
    headline_retrieval = {
        name: mean_scores(
            [
                _missed(r["retrieval"][name])
                if name == "product" and r["runs"][0]["abstained"]
                else r["retrieval"][name]
                for r in answerable
            ]
        )
        for name in systems
    }
    per_run = [_run_figures(records, i) for i in range(runs)]
    spread = {
        key: Spread([p[key] for p in per_run if p[key] is not None]).as_dict()
        for key in per_run[0]
        if key not in {"abstention", "abstention_by_kind"}
    }
    sims = [(r["best_similarity"], r["kind"] != "answerable") for r in records]
    return {
        "systems": systems,
        "retrieval": retrieval,
        "retrieval_all_answerable": retrieval_all,
        "retrieval_headline": headline_retrieval,
        "grounding_and_answers": spread,
        "abstention": per_run[0]["abstention"],
        "abstention_by_kind": per_run[0]["abstention_by_kind"],
        "threshold_sweep": threshold_sweep(sims, SWEEP),
        "unsupported_examples": _unsupported_examples(records),
        "headline": _headline(systems, headline_retrieval, spread),
    }


def _retrieval(rows: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_domain.setdefault(r["domain"], []).append(r["retrieval"][name])
    return {
        "overall": mean_scores([r["retrieval"][name] for r in rows]),
        "by_domain": {d: mean_scores(v) for d, v in sorted(by_domain.items())},
    }


def _run_figures(records: Sequence[dict[str, Any]], i: int) -> dict[str, Any]:
    runs = [(r, r["runs"][i]) for r in records]
    answered = [(r, a) for r, a in runs if not a["abstained"]]
    cites = [c for _, a in answered for c in a["citations"]]
    good = [(r, a) for r, a in answered if r["kind"] == "answerable"]
    good_cites = [c for _, a in good for c in a["citations"]]
    with_gold = [(r, a) for r, a in good if r["gold"]]
    quality = [a for _, a in good if "rouge_l" in a]
    abstention = abstention_scores((r["kind"] != "answerable", a["abstained"]) for r, a in runs)
    by_kind: dict[str, list[tuple[bool, bool]]] = {}
    for r, a in runs:
        by_kind.setdefault(r["kind"], []).append((r["kind"] != "answerable", a["abstained"]))
    return {
        "citation_validity": share(sum(c["valid"] for c in cites), len(cites)),
        "supported_sentence_ratio": share(
            sum(a["supported"] for _, a in answered), sum(a["sentences"] for _, a in answered)
        ),
        "composed_supported_ratio": share(
            sum(a["verifier_kept"] for _, a in answered),
            sum(a["composed_sentences"] for _, a in answered),
        ),
        "citation_gold_precision": share(sum(c["hits_gold"] for c in good_cites), len(good_cites)),
        "answer_gold_hit_rate": share(
            sum(any(c["hits_gold"] for c in a["citations"]) for _, a in with_gold), len(with_gold)
        ),
        "answered_answerable_rate": share(
            len(good), sum(r["kind"] == "answerable" for r in records)
        ),
        "answer_hit_rate_first5": share(
            sum(_first5(a) for r, a in runs if r["kind"] == "answerable" and r["gold"]),
            sum(1 for r, _ in runs if r["kind"] == "answerable" and r["gold"]),
        ),
        "confidence_auroc": _auroc_of(
            [(a, r) for r, a in runs if r["kind"] == "answerable" and r["gold"]]
        ),
        "confidence_auroc_with_held_out": _auroc_of(
            [(a, r) for r, a in runs if r["kind"] in ("answerable", "held-out") and r["gold"]]
        ),
        "rouge_l": share_mean([a["rouge_l"] for a in quality]),
        "embedding_cosine": share_mean([a["cosine"] for a in quality]),
        "abstention_f1": abstention["f1"],
        "abstention": abstention,
        "abstention_by_kind": {
            k: {"n": len(v), "abstained": sum(ab for _, ab in v)} for k, v in by_kind.items()
        },
    }


def _first5(run: dict[str, Any]) -> bool:
    """Whether an answer cites a gold span among its first five citations (abstained: no)."""
    return not run["abstained"] and any(c["hits_gold"] for c in run["citations"][:5])


def _auroc_of(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> float | None:
    """AUROC of the answers' confidence against citing a gold span (held-out: never does)."""
    scored = [
        (float(a["confidence"]), r["kind"] == "answerable" and _first5(a))
        for a, r in pairs
        if a.get("confidence") is not None
    ]
    return auroc([c for c, _ in scored], [y for _, y in scored]) if scored else None


def share_mean(values: Sequence[float]) -> float | None:
    """Mean of values rounded to 4 places; None when empty."""
    return round(sum(values) / len(values), 4) if values else None


def _unsupported_examples(
    records: Sequence[dict[str, Any]], limit: int = 20
) -> list[dict[str, Any]]:
    out = []
    for r in records:
        for run in r["runs"]:
            for u in run.get("unsupported", []):
                out.append({"id": r["id"], "stage": "delivered answer", **u})
            for d in run.get("dropped_by_verifier", []):
                out.append({"id": r["id"], "stage": "dropped by the verifier", **d})
    return out[:limit]


def _headline(
    systems: Sequence[str], retrieval: dict[str, Any], spread: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for name in systems:
        row = {
            "system": name,
            **{
                k: v
                for k, v in retrieval[name].items()
                if k == "n"
                or k.startswith("recall@")
                or k in ("mrr", "ndcg10", "hit@5")
                or k == "precision@5"
            },
        }
        if name == "product":
            for key in (
                "citation_validity",
                "supported_sentence_ratio",
                "composed_supported_ratio",
                "abstention_f1",
                "answer_hit_rate_first5",
                "citation_gold_precision",
                "confidence_auroc",
            ):
                row[key] = spread[key]["mean"]
        rows.append(row)
    return rows
