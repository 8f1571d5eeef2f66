"""The CI eval gate: the samples eval in small mode must not regress on grounding or retrieval.

Thresholds come from measured values (evals/README.md, "CI gate") with a margin of about one
question; raise them when the product improves, never lower them to make a change pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.storage.embeddings import SentenceTransformerEmbeddings
from evals.report import write_report
from evals.runner import EvalConfig, run_eval

MIN_CITATION_VALIDITY = 1.0  # every quote verbatim in the turns it cites
MIN_SUPPORTED_SENTENCES = 1.0  # every delivered sentence supported by its citations
# Before the verifier: what the composer wrote, not only what survived verification.
MIN_COMPOSED_SUPPORTED = 1.0  # measured 1.000
# Headline recall: every answerable question, an abstention counts as a miss.
MIN_RECALL_AT_5 = 0.72  # measured 0.761 (34 answerable questions; was 0.744 answered-only)
MIN_ANSWER_HIT = 0.76  # measured 0.794 (focus_query; 0.765 before): gold among first 5 citations
MIN_ABSTENTION_F1 = 0.70  # measured 0.778 (10 unanswerable questions)


@pytest.mark.slow
def test_samples_eval_gate(
    samples_data_dir: Path, tmp_path: Path, embeddings: SentenceTransformerEmbeddings
) -> None:
    store = tmp_path / "store"
    shutil.copytree(samples_data_dir, store)
    report = run_eval(EvalConfig(dataset="samples", cache=store, small=True), embeddings=embeddings)
    write_report(report, tmp_path / "report")  # the report must always be writable

    assert report["meta"]["ingest"]["chunks_embedded"] == 0, "the cached store was re-embedded"
    figures = report["grounding_and_answers"]
    product = report["retrieval_headline"]["product"]
    failures = [
        f"{name} {value} < {floor}"
        for name, value, floor in (
            ("citation validity", figures["citation_validity"]["mean"], MIN_CITATION_VALIDITY),
            (
                "supported sentences",
                figures["supported_sentence_ratio"]["mean"],
                MIN_SUPPORTED_SENTENCES,
            ),
            (
                "supported sentences before the verifier",
                figures["composed_supported_ratio"]["mean"],
                MIN_COMPOSED_SUPPORTED,
            ),
            ("recall@5", product["recall@5"], MIN_RECALL_AT_5),
            ("answer hit", figures["answer_hit_rate_first5"]["mean"], MIN_ANSWER_HIT),
            ("abstention F1", report["abstention"]["f1"], MIN_ABSTENTION_F1),
        )
        if value is None or value < floor
    ]
    examples = report["unsupported_examples"][:5]
    assert not failures, f"eval gate: {'; '.join(failures)}; unsupported examples: {examples}"
