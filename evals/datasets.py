"""Gold datasets: the sample corpus (or any folder in its layout) and QMSum meeting JSON.

Every dataset becomes the same shape: the files to ingest, and questions whose gold is a list of
*gold items*, each a set of turn ranges (`GoldSpan`) where the evidence sits. A retrieved chunk or
a citation *hits* an item when it is in the same session and its turn range overlaps one of them.

- samples layout: `DIR/sessions/` (transcripts and notes) and `DIR/gold/questions.jsonl`; each
  `evidence` string becomes an item located at every turn whose text contains it.
- QMSum: every `specific_query_list` entry with `relevant_text_span`s; each span is an item.
  Every `holdout_every`-th meeting (in file-name order) is not ingested and its questions become
  unanswerable ("held-out"), joined by the fixed `OFF_TOPIC` questions.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.core.errors import InputError
from companion.core.grounding import normalise
from companion.core.schemas import Session
from ingest.parsers import discover, load_session

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

ANSWERABLE = "answerable"
UNANSWERABLE = "unanswerable"  # the gold file says so (off-topic or a near miss)
HELD_OUT = "held-out"  # about a meeting that was not ingested
OFF_TOPIC = "off-topic"  # general knowledge no meeting covers

# General-knowledge questions no meeting corpus should answer; mixed into QMSum runs.
OFF_TOPIC_QUESTIONS = (
    "What is the boiling point of water at sea level in Fahrenheit?",
    "Who wrote the novel Pride and Prejudice?",
    "How many moons does Mars have?",
    "What is the capital city of Australia?",
    "How do I change a flat tyre on a bicycle?",
    "What year did the Berlin Wall fall?",
    "How long should I boil an egg for a soft yolk?",
    "What is the chemical symbol for gold?",
    "Which planet is closest to the sun?",
    "How do I repot an orchid?",
    "Who painted the ceiling of the Sistine Chapel?",
    "What is the offside rule in football?",
    "How many bones are there in the adult human body?",
    "What is the tallest mountain in Africa?",
    "How do you make a sourdough starter?",
)

_PRODUCT = re.compile(r"(ES|IS|TS)\d{4}[a-z]?", re.I)
_ACADEMIC = re.compile(r"B[a-z]{2}\d{3}")


@dataclass(frozen=True)
class GoldSpan:
    """Turns `start`..`end` (inclusive) of one session where gold evidence sits."""

    session_id: str
    start: int
    end: int

    def overlaps(self, session_id: str, start: int, end: int) -> bool:
        """True when turns `start`..`end` of `session_id` share a turn with this span."""
        return session_id == self.session_id and start <= self.end and end >= self.start


GoldItem = tuple[GoldSpan, ...]
"""One piece of gold evidence: found when any of its locations is hit."""


@dataclass(frozen=True)
class GoldQuestion:
    """A question with its gold evidence and reference answer."""

    id: str
    question: str
    kind: str
    domain: str
    gold: tuple[GoldItem, ...] = ()
    answer: str = ""
    sessions: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        """Whether the ingested sessions cover the question."""
        return self.kind == ANSWERABLE


@dataclass
class Dataset:
    """What to ingest and what to ask."""

    name: str
    root: Path
    ingest_paths: list[Path]
    questions: list[GoldQuestion]
    sessions: list[Session] = field(default_factory=list)
    held_out: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def gold_dir(self) -> Path:
        """Where the samples layout keeps tips/peers gold (may not exist)."""
        return self.root / "gold"


def domain_of(stem: str) -> str:
    """The QMSum domain of a meeting file: Product (AMI), Academic (ICSI) or Committee."""
    if _PRODUCT.fullmatch(stem):
        return "Product"
    if _ACADEMIC.fullmatch(stem):
        return "Academic"
    if stem.lower().startswith(("covid_", "education_")):
        return "Committee"
    return "Other"


# -- samples layout ---------------------------------------------------------------------------


def load_samples(root: Path = SAMPLES) -> Dataset:
    """The gold questions of a folder in the samples layout (`sessions/`, `gold/questions.jsonl`).

    Raises:
        InputError: When the folder or its gold file is missing or a gold line is malformed.
    """
    gold_file = root / "gold" / "questions.jsonl"
    if not (root / "sessions").is_dir() or not gold_file.is_file():
        raise InputError(
            f"{root}: expected sessions/ and gold/questions.jsonl (the samples layout)"
        )
    files, errors = discover([root / "sessions"])
    if errors:
        raise InputError("; ".join(str(e) for e in errors))
    sessions = {s.id: s for s in (load_session(p) for p in files)}
    dataset = Dataset(
        name="samples",
        root=root,
        ingest_paths=[root / "sessions"],
        questions=[],
        sessions=list(sessions.values()),
    )
    for line_no, row in read_jsonl(gold_file):
        dataset.questions.append(_sample_question(row, sessions, f"{gold_file}:{line_no}", dataset))
    return dataset


def read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON Lines file."""
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{line_no}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{line_no}: expected an object")
        yield line_no, row


def _sample_question(
    row: dict[str, Any], sessions: dict[str, Session], where: str, dataset: Dataset
) -> GoldQuestion:
    for key in ("id", "question", "answerable"):
        if key not in row:
            raise InputError(f"{where}: missing '{key}'")
    listed = tuple(str(s) for s in row.get("sessions", []))
    unknown = [s for s in listed if s not in sessions]
    if unknown:
        raise InputError(f"{where}: unknown session id(s) {', '.join(unknown)}")
    items: list[GoldItem] = []
    for evidence in row.get("evidence", []):
        located = locate_evidence(str(evidence), [sessions[s] for s in listed] or sessions.values())
        if not located:
            located = locate_evidence(str(evidence), sessions.values())
        if located:
            items.append(located)
        else:
            dataset.warnings.append(f"{where}: evidence not found in any turn: {evidence[:60]!r}")
    for span in row.get("spans", []):
        try:
            start, end = (int(x) for x in span["turns"])
            items.append((GoldSpan(str(span["session"]), start, end),))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where}: spans entries need 'session' and 'turns': [start, end]"
            ) from exc
    answerable = bool(row["answerable"])
    if answerable and not items:
        dataset.warnings.append(f"{where}: answerable but no evidence located; no retrieval gold")
    first = sessions[listed[0]] if listed else None
    domain = (first.series or first.kind or "samples") if first else "unanswerable"
    return GoldQuestion(
        id=str(row["id"]),
        question=str(row["question"]),
        kind=ANSWERABLE if answerable else UNANSWERABLE,
        domain=domain if answerable else UNANSWERABLE,
        gold=tuple(items),
        answer=str(row.get("answer", "")),
        sessions=listed,
    )


def locate_evidence(evidence: str, sessions: Iterable[Session]) -> GoldItem:
    """Every turn (as a one-turn span) whose text contains the evidence, modulo case and spaces."""
    wanted = normalise(evidence)
    return tuple(
        GoldSpan(s.id, t.index, t.index)
        for s in sessions
        for t in s.turns
        if wanted and wanted in normalise(t.text)
    )


# -- QMSum ------------------------------------------------------------------------------------


def load_qmsum(folder: Path, holdout_every: int = 5) -> Dataset:
    """QMSum meetings in `folder`: specific queries of ingested meetings, held-out and off-topic.

    Args:
        folder: a directory of QMSum meeting JSON files (any split, any subset).
        holdout_every: every n-th meeting in file-name order is held out (0: none).

    Raises:
        InputError: When the folder holds no QMSum JSON or too few meetings to hold one out.
    """
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise InputError(f"{folder}: no QMSum *.json files")
    held = {p for i, p in enumerate(files, 1) if holdout_every > 0 and i % holdout_every == 0}
    if len(held) == len(files):
        raise InputError(f"{folder}: every meeting would be held out")
    dataset = Dataset(
        name="qmsum",
        root=folder,
        ingest_paths=[p for p in files if p not in held],
        questions=[],
        held_out=[p.stem for p in sorted(held)],
    )
    for path in files:
        session = load_session(path)
        if path not in held:
            dataset.sessions.append(session)
        dataset.questions.extend(_meeting_questions(path, session, path in held, dataset))
    dataset.questions.extend(
        GoldQuestion(id=f"off-topic/{i:02d}", question=q, kind=OFF_TOPIC, domain=OFF_TOPIC)
        for i, q in enumerate(OFF_TOPIC_QUESTIONS, 1)
    )
    return dataset


def _meeting_questions(
    path: Path, session: Session, held_out: bool, dataset: Dataset
) -> list[GoldQuestion]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not QMSum JSON ({exc})") from exc
    if not isinstance(data, dict) or "meeting_transcripts" not in data:
        raise InputError(f"{path}: not a QMSum meeting (no meeting_transcripts)")
    session_id, n_turns = session.id, len(session.turns)
    out: list[GoldQuestion] = []
    for i, query in enumerate(data.get("specific_query_list", [])):
        where = f"{path.name}: specific_query_list[{i}]"
        spans = _spans(query.get("relevant_text_span", []), session_id, n_turns, where, dataset)
        if not spans or not query.get("query"):
            continue
        out.append(
            GoldQuestion(
                id=f"{path.stem}/s{i:02d}",
                question=" ".join(str(query["query"]).split()),
                kind=HELD_OUT if held_out else ANSWERABLE,
                domain=domain_of(path.stem),
                gold=tuple((s,) for s in spans),
                answer=str(query.get("answer", "")),
                sessions=(session_id,),
            )
        )
    return out


def _spans(raw: Any, session_id: str, n_turns: int, where: str, dataset: Dataset) -> list[GoldSpan]:
    spans: list[GoldSpan] = []
    for pair in raw if isinstance(raw, list) else []:
        try:
            start, end = int(pair[0]), int(pair[1])
        except (TypeError, ValueError, IndexError):
            dataset.warnings.append(f"{where}: unreadable span {pair!r}")
            continue
        if start > end or start >= n_turns:
            dataset.warnings.append(f"{where}: span {pair!r} outside 0..{n_turns - 1}")
            continue
        spans.append(GoldSpan(session_id, max(0, start), min(end, n_turns - 1)))
    return spans


# -- selection --------------------------------------------------------------------------------


def select(questions: Sequence[GoldQuestion], limit: int | None, seed: int) -> list[GoldQuestion]:
    """About `limit` questions, drawn with a fixed seed: each kind in its share, at least one."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_kind: dict[str, list[GoldQuestion]] = {}
    for q in questions:
        by_kind.setdefault(q.kind, []).append(q)
    rng = random.Random(seed)
    chosen: list[GoldQuestion] = []
    for kind in sorted(by_kind):
        group = sorted(by_kind[kind], key=lambda q: q.id)
        rng.shuffle(group)
        share = max(1, round(limit * len(group) / len(questions)))
        chosen.extend(group[:share])
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(chosen, key=lambda q: order[q.id])
