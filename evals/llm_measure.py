"""Measure what an LLM generator does to grounding and answer quality, against extractive.

`python -m evals.llm_measure --data DIR --questions FILE [--limit 20] [--runs 1]`

DIR is an already ingested data directory, opened only for reading (the local model's weights
cache goes to `--model-cache`). FILE holds JSON lines with `query` (or `question`) and `answer`.
Per question: the model's raw sentences and how many the verifier finds supported (before), the
delivered answer's supported share (after), ROUGE-L of each system against the gold answer, and
seconds per answer. Greedy decoding (temperature 0) is deterministic, so one run is enough;
with sampling, use `--runs 3` and read the spread.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from companion.core.grounding import GroundingVerifier, split_cited_sentences
from companion.core.schemas import Answer
from companion.core.settings import LLMSettings, Settings
from companion.features.ask.llm import LLMGenerator
from companion.features.ask.service import AnswerService
from companion.llm.client import ChatClient
from companion.llm.local import LocalChatModel
from companion.llm.streaming import parse_cited_sentences
from companion.retrieval.context import Context


class RecordingClient(ChatClient):
    """A `ChatClient` that keeps the last raw reply, to measure before verification."""

    last = ""

    def stream_text(self, messages: Sequence[BaseMessage]) -> Generator[str, None, None]:
        """Stream as usual and record the whole text."""
        self.last = ""
        for piece in super().stream_text(messages):
            self.last += piece
            yield piece


def load_questions(path: Path, limit: int, seed: int) -> list[dict[str, str]]:
    """`limit` questions with gold answers, sampled reproducibly."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [
        {"question": r.get("query") or r["question"], "answer": r["answer"]}
        for r in rows
        if r.get("answer")
    ]
    return random.Random(seed).sample(rows, min(limit, len(rows)))


def plain(answer: str) -> str:
    """Answer text without citation markers."""
    return " ".join(s for s, _ in split_cited_sentences(answer))


def supported_share(verifier: GroundingVerifier, answer: Answer) -> tuple[int, int]:
    """(supported, total) sentences of an answer as delivered."""
    if answer.abstained:
        return 0, 0
    checks = verifier.check(answer)
    return sum(c.supported for c in checks), len(checks)


def measure_question(
    service: AnswerService, client: RecordingClient, verifier: GroundingVerifier, q: dict[str, str]
) -> dict[str, Any]:
    """Every figure for one question and one LLM run."""
    from evals.metrics import rouge_l

    t0 = time.perf_counter()
    extractive = service.ask(q["question"], generator="extractive")
    t1 = time.perf_counter()
    delivered = service.ask(q["question"], generator="llm")
    t2 = time.perf_counter()
    raw = parse_cited_sentences(client.last)
    v = delivered.verification
    llm_kept = delivered.generator == "llm" and not delivered.abstained
    row: dict[str, Any] = {
        "question": q["question"],
        "raw": client.last,
        "raw_sentences": len(raw),
        "raw_cited": sum(bool(s.passages) for s in raw),
        "outcome": (
            "abstained (retrieval)" if delivered.abstained and delivered.generator != "llm"
            else "NOT COVERED" if delivered.abstained
            else "llm" if llm_kept else "fallback: " + (delivered.notice or "")[:40]
        ),
        "model_supported": (v.kept if llm_kept else 0) if v else 0,
        "model_sentences": len(raw),
        "delivered": delivered.answer,
        "seconds_llm": round(t2 - t1, 2),
        "seconds_extractive": round(t1 - t0, 2),
    }
    row["after_supported"], row["after_sentences"] = supported_share(verifier, delivered)
    row["extractive_supported"], row["extractive_sentences"] = supported_share(verifier, extractive)
    if not extractive.abstained:
        row["rouge_extractive"] = rouge_l(plain(extractive.answer), q["answer"])
    if not delivered.abstained:
        row["rouge_delivered"] = rouge_l(plain(delivered.answer), q["answer"])
    if llm_kept:
        row["rouge_llm_verified"] = rouge_l(plain(delivered.answer), q["answer"])
    if raw and not delivered.abstained:
        row["rouge_llm_raw"] = rouge_l(" ".join(s.text for s in raw), q["answer"])
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals and means over one run's rows."""

    def ratio(a: str, b: str) -> float | None:
        den = sum(r[b] for r in rows)
        return round(sum(r[a] for r in rows) / den, 3) if den else None

    def mean(key: str) -> tuple[float | None, int]:
        values = [r[key] for r in rows if key in r]
        return (round(statistics.mean(values), 4) if values else None), len(values)

    outcomes: dict[str, int] = {}
    for r in rows:
        key = r["outcome"].split(":")[0]
        outcomes[key] = outcomes.get(key, 0) + 1
    return {
        "questions": len(rows),
        "outcomes": outcomes,
        "supported_before": ratio("model_supported", "model_sentences"),
        "supported_after": ratio("after_supported", "after_sentences"),
        "supported_extractive": ratio("extractive_supported", "extractive_sentences"),
        "raw_sentences_with_citation": ratio("raw_cited", "raw_sentences"),
        "rouge_extractive": mean("rouge_extractive"),
        "rouge_delivered": mean("rouge_delivered"),
        "rouge_llm_verified": mean("rouge_llm_verified"),
        "rouge_llm_raw": mean("rouge_llm_raw"),
        "seconds_llm_median": round(statistics.median(r["seconds_llm"] for r in rows), 2),
        "seconds_llm_max": max(r["seconds_llm"] for r in rows),
        "seconds_extractive_median": round(
            statistics.median(r["seconds_extractive"] for r in rows), 2
        ),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the measurement and print one JSON summary per run (and rows with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="an ingested data directory")
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--max-tokens", type=int, default=120)
    parser.add_argument("--model-path", default=None, help="GGUF file or HF folder")
    parser.add_argument("--model-cache", type=Path, default=Path(".companion"))
    parser.add_argument("--out", type=Path, default=None, help="write rows and summaries here")
    args = parser.parse_args(argv)

    llm = LLMSettings(
        provider="local", model_path=args.model_path, max_tokens=args.max_tokens,
        temperature=args.temperature, timeout=300,
    )
    ctx = Context(Settings(data_dir=args.data, llm=llm))
    model = LocalChatModel(
        model_path=args.model_path, data_dir=args.model_cache, max_tokens=args.max_tokens,
        temperature=args.temperature, timeout=300,
    )
    client = RecordingClient(model, llm)
    verifier = GroundingVerifier(
        ctx.catalog, embeddings=ctx.embeddings,
        min_term_recall=llm.min_term_recall, min_similarity=llm.min_similarity,
    )
    service = AnswerService(ctx)
    service._llm = LLMGenerator(
        ctx.catalog, client, verifier, passages=ctx.settings.retrieval.answer_chunks,
        min_supported=llm.min_supported_sentences, attribute_uncited=llm.attribute_uncited,
    )
    model.load()
    questions = load_questions(args.questions, args.limit, args.seed)
    report: dict[str, Any] = {"settings": vars(args) | {"data": str(args.data)}, "runs": []}
    for run in range(args.runs):
        rows = []
        for i, q in enumerate(questions, 1):
            rows.append(measure_question(service, client, verifier, q))
            print(f"run {run + 1} q{i}: {rows[-1]['outcome']} ({rows[-1]['seconds_llm']} s)")
        summary = summarise(rows)
        print(json.dumps(summary))
        report["runs"].append({"summary": summary, "rows": rows})
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    ctx.close()


if __name__ == "__main__":
    main()
