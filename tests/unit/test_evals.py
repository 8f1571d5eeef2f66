"""Eval metrics on hand-made cases, dataset loaders on small copies, report writing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from companion.core.errors import ConfigurationError, InputError
from companion.core.schemas import Session, Turn
from companion.core.settings import Settings
from evals.baselines import plain_transcript, split_documents
from evals.datasets import (
    ANSWERABLE,
    HELD_OUT,
    OFF_TOPIC,
    OFF_TOPIC_QUESTIONS,
    GoldSpan,
    domain_of,
    load_qmsum,
    load_samples,
    select,
)
from evals.metrics import (
    abstention_scores,
    covered_items,
    mean_scores,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
    score_ranking,
    summarise,
    threshold_sweep,
)
from evals.report import write_report
from evals.runner import generator_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
QMSUM_VAL = ROOT.parent / "shared" / "data" / "qmsum" / "val"
A = (GoldSpan("m1", 10, 20),)
B = (GoldSpan("m1", 40, 40), GoldSpan("m2", 3, 3))  # evidence found in two places


def test_span_overlap_is_inclusive_and_per_session() -> None:
    span = GoldSpan("m1", 10, 20)
    assert (
        span.overlaps("m1", 20, 25) and span.overlaps("m1", 5, 10) and span.overlaps("m1", 12, 13)
    )
    assert not span.overlaps("m1", 21, 30) and not span.overlaps("m1", 0, 9)
    assert not span.overlaps("m2", 10, 20)


def test_recall_counts_gold_items_not_chunks() -> None:
    ranked = [("m1", 0, 5), ("m1", 15, 16), ("m1", 18, 22), ("m2", 3, 4)]
    covered = covered_items(ranked, [A, B])
    assert covered == [set(), {0}, {0}, {1}]
    assert recall_at_k(covered, 2, 1) == 0.0
    assert recall_at_k(covered, 2, 3) == 0.5  # two chunks in A still find one item
    assert recall_at_k(covered, 2, 4) == 1.0  # B found at its second location


def test_reciprocal_rank_of_first_hit_and_zero_without_one() -> None:
    assert reciprocal_rank([set(), set(), {0}]) == pytest.approx(1 / 3)
    assert reciprocal_rank([set(), set()]) == 0.0


def test_ndcg_against_the_systems_own_ideal() -> None:
    assert ndcg_at_k([True, True, False], relevant_total=2) == pytest.approx(1.0)
    # one relevant result at rank 2 of two relevant chunks in the index
    expected = (1 / 1.5849625) / (1 + 1 / 1.5849625)
    assert ndcg_at_k([False, True, False], relevant_total=2) == pytest.approx(expected, rel=1e-6)
    assert ndcg_at_k([False, False], relevant_total=0) == 0.0
    assert ndcg_at_k([True] * 12, relevant_total=30, k=10) == pytest.approx(1.0)


def test_score_ranking_and_means() -> None:
    scores = score_ranking([("m2", 3, 3), ("m1", 0, 1)], [A, B], relevant_total=3)
    row = scores.as_dict()
    assert row["recall@1"] == 0.5 and row["hit@1"] is True and row["mrr"] == 1.0
    assert scores.first_hit_rank == 1
    means = mean_scores([row, {**row, "recall@1": 0.0, "mrr": 0.0}])
    assert means["n"] == 2 and means["recall@1"] == 0.25 and means["mrr"] == 0.5


def test_abstention_is_a_class_of_its_own() -> None:
    # (unanswerable, abstained)
    s = abstention_scores(
        [(True, True), (True, False), (False, True), (False, False), (False, False)]
    )
    assert s["precision"] == 0.5 and s["recall"] == 0.5 and s["f1"] == 0.5
    assert s["confusion"] == {
        "abstained_unanswerable": 1,
        "abstained_answerable": 1,
        "answered_unanswerable": 1,
        "answered_answerable": 2,
    }
    never = abstention_scores([(True, False), (False, False)])
    assert never["precision"] is None and never["recall"] == 0.0 and never["f1"] is None
    no_unanswerable = abstention_scores([(False, False)])
    assert no_unanswerable["recall"] is None


def test_threshold_sweep_abstains_below_each_cut() -> None:
    rows = threshold_sweep([(0.2, True), (0.5, False), (0.35, True)], [0.3, 0.4])
    assert rows[0]["recall"] == 0.5 and rows[1]["recall"] == 1.0 and rows[1]["precision"] == 1.0


def _record(kind: str, abstained: bool, gold: bool = True) -> dict[str, object]:
    retrieval = {
        "product": {**score_ranking([("m1", 10, 10)], [A], 1).as_dict(), "top": []},
        "dense-only": {**score_ranking([("m1", 0, 1)], [A], 1).as_dict(), "top": []},
    }
    run: dict[str, object] = {"abstained": abstained, "generator": "extractive", "answer": "x"}
    if not abstained:
        run.update(
            citations=[{"valid": True, "hits_gold": gold}],
            sentences=1,
            supported=1,
            unsupported=[],
            verifier_kept=1,
            composed_sentences=2,
            dropped_by_verifier=[{"sentence": "Unsupported.", "reason": "no citation"}],
            rouge_l=0.5,
            cosine=0.7,
        )
    return {
        "id": f"{kind}-{abstained}",
        "kind": kind,
        "domain": "Product",
        "question": "q?",
        "gold": [[["m1", 10, 20]]] if kind == ANSWERABLE else [],
        "gold_answer": "a",
        "best_similarity": 0.5 if kind == ANSWERABLE else 0.2,
        "retrieval": retrieval if kind == ANSWERABLE else {},
        "runs": [run],
    }


def test_summary_keeps_abstained_answerable_out_of_retrieval() -> None:
    records = [
        _record(ANSWERABLE, False),
        _record(ANSWERABLE, True),
        _record(OFF_TOPIC, True),
        _record(HELD_OUT, False, gold=False),
    ]
    report = summarise(records, runs=1)
    assert report["retrieval"]["product"]["overall"]["n"] == 1  # the abstained one is left out
    assert report["retrieval_all_answerable"]["product"]["n"] == 2
    assert report["abstention"]["confusion"]["abstained_answerable"] == 1
    assert report["grounding_and_answers"]["citation_validity"]["mean"] == 1.0
    assert report["grounding_and_answers"]["composed_supported_ratio"]["mean"] == 0.5
    assert report["unsupported_examples"][0]["stage"] == "dropped by the verifier"
    assert [r["system"] for r in report["headline"]] == ["product", "dense-only"]


def test_report_files(tmp_path: Path) -> None:
    report = summarise([_record(ANSWERABLE, False), _record(OFF_TOPIC, True)], runs=1)
    report["features"] = {"tips": {"status": "not measured", "reason": "no gold"}}
    report["meta"] = {
        "dataset": "qmsum",
        "path": "x",
        "date": "today",
        "questions": 2,
        "sessions_ingested": 1,
        "held_out": ["B1"],
        "generator": "extractive",
        "runs": 1,
        "seed": 13,
        "seconds": 1.0,
        "warnings": [],
        "settings": {"retrieval": {"abstain_threshold": 0.3}},
    }
    report["records"] = [_record(ANSWERABLE, False), _record(OFF_TOPIC, True)]
    files = write_report(report, tmp_path / "out")
    assert {f.name for f in files} >= {"report.json", "report.md", "recall_at_k.png"}
    assert (
        json.loads((tmp_path / "out" / "report.json").read_text())["headline"][0]["system"]
        == "product"
    )
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| product | 1 |" in md and "NOT MEASURED — no gold" in md


# -- datasets ---------------------------------------------------------------------------------

needs_qmsum = pytest.mark.skipif(not QMSUM_VAL.is_dir(), reason="QMSum val is not on this machine")


@needs_qmsum
def test_qmsum_loader_holds_out_meetings_on_a_copy(tmp_path: Path) -> None:
    for name in ("Bed002.json", "ES2006a.json"):
        shutil.copy(QMSUM_VAL / name, tmp_path / name)
    data = load_qmsum(tmp_path, holdout_every=2)
    assert data.held_out == ["ES2006a"] and [s.id for s in data.sessions] == ["bed002"]
    kinds = {q.kind for q in data.questions}
    assert kinds == {ANSWERABLE, HELD_OUT, OFF_TOPIC}
    answerable = [q for q in data.questions if q.answerable]
    raw = json.loads((tmp_path / "Bed002.json").read_text())
    assert len(answerable) == len(raw["specific_query_list"])
    first = raw["specific_query_list"][0]["relevant_text_span"][0]
    assert answerable[0].gold[0] == (GoldSpan("bed002", int(first[0]), int(first[1])),)
    assert answerable[0].domain == "Academic"
    assert sum(q.kind == OFF_TOPIC for q in data.questions) == len(OFF_TOPIC_QUESTIONS)


def test_qmsum_loader_rejects_a_folder_without_meetings(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no QMSum"):
        load_qmsum(tmp_path)
    (tmp_path / "x.json").write_text('{"not": "qmsum"}')
    with pytest.raises(InputError):
        load_qmsum(tmp_path, holdout_every=0)


def test_domains_from_file_names() -> None:
    assert [domain_of(s) for s in ("ES2006a", "IS1003b", "TS3012c", "Bro017", "covid_4", "x")] == [
        "Product",
        "Product",
        "Product",
        "Academic",
        "Committee",
        "Other",
    ]


def test_samples_gold_locates_every_evidence_string() -> None:
    data = load_samples(SAMPLES)
    assert data.warnings == []
    answerable = [q for q in data.questions if q.answerable]
    assert len(answerable) == 34 and all(q.gold for q in answerable)
    assert len(data.questions) - len(answerable) == 10


def test_samples_loader_names_the_bad_line(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "sessions", tmp_path / "sessions")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "questions.jsonl").write_text(
        '{"id": "a", "question": "q", "answerable": true, "sessions": ["nope"]}\n'
    )
    with pytest.raises(InputError, match=r"questions.jsonl:1: unknown session"):
        load_samples(tmp_path)


def test_select_is_stratified_and_deterministic() -> None:
    data = load_samples(SAMPLES)
    one = select(data.questions, 10, seed=1)
    assert [q.id for q in one] == [q.id for q in select(data.questions, 10, seed=1)]
    assert {q.kind for q in one} == {ANSWERABLE, "unanswerable"}
    assert 9 <= len(one) <= 11


# -- naive baseline and generator seam --------------------------------------------------------


def test_naive_chunks_map_back_to_turns() -> None:
    turns = [Turn(index=i, speaker="Ann", text=f"sentence number {i} " * 12) for i in range(30)]
    turns.insert(5, Turn(index=99, speaker="Bob", text=""))  # empty turns are skipped
    session = Session(id="s", title="s", turns=turns)
    plain = plain_transcript(session)
    assert plain.text.startswith("Ann: sentence number 0")
    docs = split_documents([session])
    assert len(docs) > 3
    for doc in docs:
        first, last = doc.metadata["turn_start"], doc.metadata["turn_end"]
        assert f"sentence number {first} " in doc.page_content or first < last
        assert f"sentence number {last}" in doc.page_content


def test_llm_generator_needs_a_chat_model() -> None:
    with pytest.raises(ConfigurationError, match="COMPANION_LLM__PROVIDER"):
        generator_settings(Settings(llm={"provider": "extractive"}), "llm")
    with pytest.raises(InputError, match="unknown generator"):
        generator_settings(Settings(), "gpt")
    configured = Settings(llm={"provider": "openai", "model": "m"})
    assert generator_settings(configured, "extractive").llm.provider == "extractive"
