"""Runs one evaluation: ingest (cached), ask every question, score the product and baselines.

The product is scored as deployed: `AnswerService.ask` for the answer, the service's own
`GroundingVerifier` for grounding, `HybridRetriever.retrieve` for the ranking. Dense-only and
BM25-only are the retriever's other modes; the naive LangChain pipeline is `evals.baselines`.
"""

from __future__ import annotations

import hashlib
import io
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from companion.core.errors import ConfigurationError, InputError
from companion.core.grounding import split_cited_sentences
from companion.core.schemas import Answer
from companion.core.settings import ChromaSettings, Settings
from companion.features.ask.service import AnswerService
from companion.retrieval.context import Context
from companion.storage.embeddings import SentenceTransformerEmbeddings
from evals import peers_eval, summaries_eval, tips_eval
from evals.baselines import NaiveLangChainBaseline
from evals.datasets import SAMPLES, Dataset, GoldQuestion, load_qmsum, load_samples, select
from evals.metrics import KS, Ranked, rouge_l, score_ranking, summarise

DEPTH = max(KS)


@dataclass
class EvalConfig:
    """What to evaluate and how.

    Args:
        dataset: "samples" (the samples layout) or "qmsum" (a folder of meeting JSON).
        path: the dataset folder; default the bundled samples (required for qmsum).
        limit: about this many questions, drawn with `seed`, each kind in its share.
        generator: "extractive" or "llm".
        repeats: answer runs per question (default 1 for extractive, 3 for llm).
        cache: the data dir the corpus is ingested into and reused from.
        small: skip the naive baseline and the tips/peers/summaries evals (the CI gate).
        holdout_every: QMSum: every n-th meeting is held out of the ingest.
        features: run the tips/peers/summaries evals too (unless `small`).
    """

    dataset: str
    path: Path | None = None
    limit: int | None = None
    generator: str = "extractive"
    repeats: int | None = None
    cache: Path | None = None
    small: bool = False
    seed: int = 13
    holdout_every: int = 5
    features: bool = True
    show_progress: bool = False

    @property
    def runs(self) -> int:
        """How many times each question is answered."""
        return self.repeats or (3 if self.generator == "llm" else 1)


def load_dataset(config: EvalConfig) -> Dataset:
    """The dataset the config names."""
    if config.dataset == "samples":
        return load_samples(config.path) if config.path else load_samples()
    if config.dataset == "qmsum":
        if config.path is None:
            raise InputError("--dataset qmsum needs --path DIR (a folder of QMSum meeting JSON)")
        return load_qmsum(config.path, config.holdout_every)
    raise InputError(f"unknown dataset '{config.dataset}'; expected samples or qmsum")


def generator_settings(settings: Settings, generator: str) -> Settings:
    """Settings whose LLM provider matches the requested generator.

    Raises:
        ConfigurationError: `llm` without an LLM generator in `companion.features.ask` or without
            a configured provider.
    """
    if generator == "extractive":
        return settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"provider": "extractive"})}
        )
    if generator != "llm":
        raise InputError(f"unknown generator '{generator}'; expected extractive or llm")
    if settings.llm.provider == "extractive":
        raise ConfigurationError(
            "--generator llm needs a chat model: set COMPANION_LLM__PROVIDER (openai, anthropic, "
            "ollama or local) and its model settings"
        )
    return settings


def default_cache(settings: Settings, dataset: Dataset) -> Path:
    """A data dir per dataset folder and hold-out, reused by every run on it."""
    key = hashlib.sha1(
        f"{dataset.root.resolve()}|{','.join(dataset.held_out)}".encode()
    ).hexdigest()
    return settings.data_dir / "eval-cache" / f"{dataset.name}-{key[:10]}"


def open_store(settings: Settings, folder: Path, embeddings: Any, show_progress: bool) -> Context:
    """A context on `folder` only: never the user's catalog or Chroma server."""
    keep = {
        n: getattr(settings, n)
        for n in Settings.model_fields
        if n not in {"data_dir", "catalog_url", "chroma"}
    }
    isolated = Settings(
        data_dir=folder,
        catalog_url=None,
        chroma=ChromaSettings(collection=settings.chroma.collection),
        **keep,
    )
    ctx = Context(isolated, show_progress=show_progress, embeddings=embeddings)
    ctx.__dict__["embeddings"] = QueryMemo(ctx.embeddings)  # before anything else uses them
    return ctx


def sync_corpus(ctx: Context, dataset: Dataset) -> dict[str, Any]:
    """Make the store hold exactly the dataset's sessions (unchanged ones are not re-embedded).

    The samples get the full product ingest (tips and summaries listeners too: their evals read
    that derived data). Other datasets get the same pipeline without listeners: chunks, vectors
    and catalog are identical, and summarising every meeting would cost several times the
    embedding of its chunks for data no figure reads.
    """
    from companion.app import build_pipeline
    from ingest.pipeline import IngestPipeline

    pipeline = build_pipeline(ctx) if dataset.name == "samples" else IngestPipeline(ctx)
    wanted = {s.id for s in dataset.sessions}
    removed = [s.id for s in ctx.catalog.list_sessions() if s.id not in wanted]
    for session_id in removed:
        pipeline.delete(session_id)
    started = time.perf_counter()
    report = pipeline.ingest(dataset.ingest_paths)
    return {
        "listeners": [type(x).__name__ for x in pipeline.listeners],
        "added": len(report.added),
        "replaced": len(report.replaced),
        "unchanged": len(report.unchanged),
        "removed": len(removed),
        "failed": report.failed,
        "chunks_embedded": report.chunks_embedded,
        "seconds": round(time.perf_counter() - started, 1),
    }


def chunk_inventory(ctx: Context) -> dict[str, list[tuple[int, int]]]:
    """Turn ranges of every stored chunk, by session (the ideal ranking for nDCG)."""
    # Read-only; the catalog has no bulk accessor and the evals need only these three columns.
    rows = ctx.catalog.conn.execute("SELECT session_id, turn_start, turn_end FROM chunks")
    out: dict[str, list[tuple[int, int]]] = {}
    for session_id, start, end in rows:
        out.setdefault(session_id, []).append((start, end))
    return out


def relevant_total(q: GoldQuestion, inventory: dict[str, list[tuple[int, int]]]) -> int:
    """How many of a system's chunks cover some gold item of the question."""
    sessions = {span.session_id for item in q.gold for span in item}
    return sum(
        any(span.overlaps(s, a, b) for item in q.gold for span in item)
        for s in sessions
        for a, b in inventory.get(s, [])
    )


def grade_answer(ctx: Context, q: GoldQuestion, answer: Answer) -> dict[str, Any]:
    """Citation validity, gold hits, supported sentences and overlap with the gold answer."""
    run: dict[str, Any] = {
        "abstained": answer.abstained,
        "generator": answer.generator,
        "answer": answer.answer,
        "confidence": answer.confidence,
    }
    if answer.abstained:
        return run
    citations = []
    for c in answer.citations:
        hit = any(
            span.overlaps(c.session_id, c.turn_start, c.turn_end)
            for item in q.gold
            for span in item
        )
        citations.append(
            {
                "session_id": c.session_id,
                "turns": [c.turn_start, c.turn_end],
                "speaker": c.speaker,
                "quote": c.quote,
                "valid": ctx.verifier.citation_is_valid(c),
                "hits_gold": hit,
            }
        )
    checks = ctx.verifier.check(answer)
    v = answer.verification
    run.update(
        citations=citations,
        sentences=len(checks),
        supported=sum(c.supported for c in checks),
        unsupported=[
            {"sentence": c.sentence, "reason": c.reason} for c in checks if not c.supported
        ],
        verifier_kept=v.kept if v else len(checks),
        composed_sentences=(v.kept + v.dropped) if v else len(checks),
        dropped_by_verifier=[d.model_dump() for d in v.dropped_sentences] if v else [],
    )
    if q.answerable and q.answer:
        text = " ".join(s for s, _ in split_cited_sentences(answer.answer))
        vecs = ctx.embeddings.embed_many([text, q.answer])
        run.update(
            rouge_l=round(rouge_l(text, q.answer), 4), cosine=round(float(vecs[0] @ vecs[1]), 4)
        )
    return run


def run_eval(
    config: EvalConfig,
    settings: Settings | None = None,
    embeddings: SentenceTransformerEmbeddings | None = None,
) -> dict[str, Any]:
    """Evaluate and return the whole report (metrics and per-question records), JSON-ready."""
    started = time.perf_counter()
    settings = generator_settings(settings or Settings(), config.generator)
    dataset = load_dataset(config)
    questions = select(dataset.questions, config.limit, config.seed)
    folder = config.cache or default_cache(settings, dataset)
    ctx = open_store(settings, folder, embeddings, config.show_progress)
    try:
        _say(config, f"corpus: {len(dataset.sessions)} sessions into {folder}")
        ingest = sync_corpus(ctx, dataset)
        naive: NaiveLangChainBaseline | None = None
        if not config.small:
            naive = NaiveLangChainBaseline(
                ctx.embeddings, folder / "naive-langchain", config.show_progress
            )
            t0 = time.perf_counter()
            shared = [s for s in dataset.sessions if s.consent]
            rebuilt = naive.build(shared, settings.resolved_model_path())
            ingest["naive_seconds"], ingest["naive_rebuilt"] = (
                round(time.perf_counter() - t0, 1),
                rebuilt,
            )
        records = ask_all(ctx, questions, naive, config)
        report = summarise(records, config.runs)
        report["features"] = (
            {} if config.small or not config.features else feature_evals(ctx, dataset)
        )
    finally:
        ctx.close()
    report["meta"] = {
        "dataset": dataset.name,
        "path": str(dataset.root),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": config.generator,
        "runs": config.runs,
        "seed": config.seed,
        "limit": config.limit,
        "small": config.small,
        "questions": len(questions),
        "sessions_ingested": len(dataset.sessions),
        "held_out": dataset.held_out,
        "holdout_every": config.holdout_every if dataset.name == "qmsum" else None,
        "data_dir": str(folder),
        "ingest": ingest,
        "warnings": dataset.warnings,
        "settings": {
            "retrieval": settings.retrieval.model_dump(),
            "chunking": settings.chunking.model_dump(),
            "model": settings.resolved_model_path(),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    report["records"] = records
    return report


class QueryMemo(SentenceTransformerEmbeddings):
    """The same model, remembering query vectors: each question is embedded once, not per system.

    Args:
        base: the loaded embeddings to share (their model is not loaded twice).
    """

    def __init__(self, base: SentenceTransformerEmbeddings) -> None:
        super().__init__(base.model_path, base.device, base.batch_size, base.threads)
        self.base = base
        self.queries: dict[str, list[float]] = {}

    @property
    def model(self) -> Any:
        """The shared model."""
        return self.base.model

    def embed_query(self, text: str) -> list[float]:
        """The question's vector, embedded on first use."""
        if text not in self.queries:
            self.queries[text] = self.base.embed_query(text)
        return self.queries[text]


@contextmanager
def single_thread_queries() -> Iterator[None]:
    """One torch thread while embedding single questions.

    One short text gains nothing from a second thread, and on a busy machine the threads wait
    on each other (measured here: ~2.4 s per question with 2 threads, ~0.1 s with 1).
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def ask_all(
    ctx: Context,
    questions: Sequence[GoldQuestion],
    naive: NaiveLangChainBaseline | None,
    config: EvalConfig,
) -> list[dict[str, Any]]:
    """One record per question: every system's ranking scores and every answer run."""
    service = AnswerService(ctx)
    inventory = chunk_inventory(ctx)
    naive_inventory: dict[str, list[tuple[int, int]]] = {}
    for s, a, b in naive.ranges if naive else []:
        naive_inventory.setdefault(s, []).append((a, b))
    rankers: dict[str, Callable[[str], list[Ranked]]] = {
        "dense-only": lambda text: _ranked(ctx, text, "dense"),
        "bm25-only": lambda text: _ranked(ctx, text, "lexical"),
    }
    if naive is not None:
        rankers["naive-langchain"] = lambda text: naive.search(text, DEPTH)
    records = []
    with single_thread_queries():
        for q in _progress(questions, config.show_progress):
            records.append(ask_one(ctx, service, q, rankers, inventory, naive_inventory, config))
    return records


def ask_one(
    ctx: Context,
    service: AnswerService,
    q: GoldQuestion,
    rankers: dict[str, Callable[[str], list[Ranked]]],
    inventory: dict[str, list[tuple[int, int]]],
    naive_inventory: dict[str, list[tuple[int, int]]],
    config: EvalConfig,
) -> dict[str, Any]:
    """The record of one question: every system's ranking scores and every answer run."""
    text = " ".join(q.question.split())
    hybrid = ctx.retriever.retrieve(text, limit=DEPTH)
    record: dict[str, Any] = {
        "id": q.id,
        "kind": q.kind,
        "domain": q.domain,
        "question": q.question,
        "gold": [[[s.session_id, s.start, s.end] for s in item] for item in q.gold],
        "gold_answer": q.answer,
        "best_similarity": round(hybrid.best_similarity, 4),
        "retrieval": {},
    }
    if q.gold:
        ranked = {"product": [(c.session_id, c.turn_start, c.turn_end) for c in hybrid.chunks]}
        ranked.update({name: rank(text) for name, rank in rankers.items()})
        for name, items in ranked.items():
            total = relevant_total(q, naive_inventory if name == "naive-langchain" else inventory)
            record["retrieval"][name] = {
                **score_ranking(items, q.gold, total).as_dict(),
                "top": [f"{s}:{a}-{b}" for s, a, b in items[:5]],
            }
    record["runs"] = [
        grade_answer(ctx, q, service.ask(q.question, generator=config.generator))
        for _ in range(config.runs)
    ]
    return record


def _ranked(ctx: Context, text: str, mode: Any) -> list[Ranked]:
    retrieval = ctx.retriever.retrieve(text, limit=DEPTH, mode=mode)
    return [(c.session_id, c.turn_start, c.turn_end) for c in retrieval.chunks]


def _progress(items: Sequence[GoldQuestion], show: bool) -> Any:
    from tqdm import tqdm

    return tqdm(items, desc="eval", unit="question", file=sys.stderr, disable=not show)


def _say(config: EvalConfig, message: str) -> None:
    if config.show_progress:
        print(message, file=sys.stderr)


# -- tips, peers, summaries: their own eval modules, run on the same store --------------------


def _tips(module: Any, ctx: Context, dataset: Dataset) -> Any:
    return module.run(ctx)


def _peers(module: Any, ctx: Context, dataset: Dataset) -> Any:
    from companion.features.people import PeopleDirectory, load_people_file

    people = SAMPLES / "people.yaml"
    PeopleDirectory(ctx.catalog).upsert(load_people_file(people), source=str(people))
    return module.evaluate_samples(ctx)


def _summaries(module: Any, ctx: Context, dataset: Dataset) -> Any:
    if dataset.name == "samples":
        return module.samples(ctx, False)
    from companion.features.summaries.extractive import ExtractiveSummariser

    cfg = ctx.settings.summaries
    summariser = ExtractiveSummariser(ctx.embeddings, ctx.settings)
    return module.qmsum(summariser, dataset.root, 5, [(cfg.mmr_lambda, cfg.position_weight)], None)


# feature: (module, adapter, datasets it has gold for)
FEATURE_EVALS: dict[str, tuple[Any, Callable[[Any, Context, Dataset], Any], tuple[str, ...]]] = {
    "tips": (tips_eval, _tips, ("samples",)),
    "peers": (peers_eval, _peers, ("samples",)),
    "summaries": (summaries_eval, _summaries, ("samples", "qmsum")),
}


def feature_evals(ctx: Context, dataset: Dataset) -> dict[str, dict[str, Any]]:
    """Tips, peers and summaries figures from their eval modules; "not measured" with a reason."""
    out: dict[str, dict[str, Any]] = {}
    bundled = dataset.root.resolve() == SAMPLES.resolve()
    for feature, (module, adapter, datasets) in FEATURE_EVALS.items():
        if dataset.name not in datasets or (dataset.name == "samples" and not bundled):
            out[feature] = _not_measured(f"no {feature} gold for this dataset")
            continue
        module_name = module.__name__
        _say_always(f"{feature} eval ({module_name})")
        try:
            with redirect_stdout(io.StringIO()):  # these modules print their own tables
                result = adapter(module, ctx, dataset)
        except Exception as exc:  # noqa: BLE001 - one feature's failure must not lose the run
            print(f"warning: {feature} eval failed: {exc!r}", file=sys.stderr)
            out[feature] = {"status": "error", "reason": repr(exc)}
            continue
        out[feature] = {"status": "measured", "source": module_name, "figures": flatten(result)}
    return out


def flatten(result: Any, prefix: str = "", depth: int = 3) -> dict[str, Any]:
    """The scalar figures of an eval result (dataclass, pydantic model or dict), keys dotted."""
    if is_dataclass(result) and not isinstance(result, type):
        result = asdict(result)
    elif hasattr(result, "model_dump"):
        result = result.model_dump()
    if not isinstance(result, dict):
        return {prefix or "value": result}
    out: dict[str, Any] = {}
    for key, value in result.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, int | float | str | bool) or value is None:
            out[name] = value
        elif isinstance(value, dict) and depth > 1:
            out.update(flatten(value, name, depth - 1))
    return out


def _not_measured(reason: str) -> dict[str, Any]:
    return {"status": "not measured", "reason": reason}


def _say_always(message: str) -> None:
    print(message, file=sys.stderr)
