"""The tip registry updated session by session gives what a stateless update gives.

The registry keeps verdicts of quote pairs and weighs terms lazily between updates, so an
ingest costs about the same per session however big the corpus; these tests hold it to the
result of an update that starts from the stored tables alone.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from companion.core.settings import Settings
from companion.features.tips.listener import TipsListener
from companion.features.tips.registry import TipRegistry
from companion.features.tips.weights import TermWeights
from companion.retrieval.context import Context
from ingest.pipeline import IngestPipeline
from tests.fakes import HashingEmbeddings

ADVICE = Path(__file__).resolve().parents[2] / "evals" / "data" / "advice_transcripts.jsonl"
SPEAKERS = ("Amara Okafor", "Tom Reyes", "Priya Raman")


def write_sessions(folder: Path, n: int) -> list[Path]:
    """n sessions of real advice lines (some repeated across sessions, so tips gather)."""
    rows = [json.loads(line) for line in ADVICE.read_text(encoding="utf-8").splitlines()]
    lines = [r["text"] for r in rows if r["label"] == 1][:60]
    rng = random.Random(3)
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        turns = [f"[00:{t:02d}:05] {rng.choice(SPEAKERS)}: {rng.choice(lines)}" for t in range(12)]
        (folder / f"s{i:02d}.yaml").write_text(
            f"title: Session {i}\ndate: 2025-01-{i + 1:02d}\n", encoding="utf-8")
        path = folder / f"s{i:02d}.txt"
        path.write_text("\n".join(turns) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


Rows = list[tuple[str, ...]]


def state(ctx: Context) -> tuple[Rows, Rows, Rows]:
    """Tips, quotes and links as comparable rows."""
    conn = ctx.catalog.conn
    tips = [tuple(r) for r in conn.execute("SELECT id, anchor_quote FROM tips ORDER BY id")]
    quotes = [tuple(r) for r in conn.execute(
        "SELECT tip_id, session_id, turn, quote FROM tip_quotes ORDER BY session_id, turn, id")]
    links = [tuple(r) for r in conn.execute("SELECT * FROM tip_links ORDER BY 1, 2, 3")]
    return tips, quotes, links


class StatelessListener(TipsListener):
    """A fresh registry for every session: each update starts from the stored tables."""

    @property
    def registry(self) -> TipRegistry:
        return TipRegistry(self.ctx)


def ingest_one_by_one(tmp_path: Path, name: str, listener_type: type[TipsListener]) -> Context:
    paths = write_sessions(tmp_path / name / "sessions", 14)
    ctx = Context(Settings(data_dir=tmp_path / name / "data"), embeddings=HashingEmbeddings())
    pipeline = IngestPipeline(ctx, [listener_type(ctx)])
    for path in paths:
        pipeline.ingest([path])
    pipeline.ingest([paths[3]])  # a re-ingest replaces a session's quotes in place
    return ctx


def test_incremental_updates_match_stateless_updates(tmp_path: Path) -> None:
    incremental = ingest_one_by_one(tmp_path, "incremental", TipsListener)
    stateless = ingest_one_by_one(tmp_path, "stateless", StatelessListener)
    try:
        got, want = state(incremental), state(stateless)
        assert got[1], "the sessions gave no advice quotes: the test would prove nothing"
        assert any(len({q[1] for q in got[1] if q[0] == t[0]}) > 1 for t in got[0]), \
            "no tip gathers quotes from two sessions"
        assert got == want
    finally:
        incremental.close()
        stateless.close()


def test_rebuild_keeps_the_incremental_registry(tmp_path: Path) -> None:
    ctx = ingest_one_by_one(tmp_path, "rebuilt", TipsListener)
    try:
        before = state(ctx)
        TipRegistry(ctx).rebuild()
        assert state(ctx) == before
    finally:
        ctx.close()


def test_rebuild_weighs_terms_as_each_update_did(tmp_path: Path) -> None:
    """IDF up to a session (what a rebuild replays with) is what its update saw."""
    paths = write_sessions(tmp_path / "sessions", 4)
    ctx = Context(Settings(data_dir=tmp_path / "data"), embeddings=HashingEmbeddings())
    try:
        pipeline = IngestPipeline(ctx, [])
        words = ("patient", "deploy", "shift", "notes", "checklist", "first")
        seen = []
        for path in paths:
            pipeline.ingest([path])
            seen.append([TermWeights(ctx.catalog).idf(w) for w in words])
        replayed = [
            [TermWeights(ctx.catalog, upto=(f"2025-01-{i + 1:02d}", s.id)).idf(w) for w in words]
            for i, s in enumerate(sorted(ctx.catalog.list_sessions(), key=lambda s: s.id))
        ]
        assert replayed == seen
        assert seen[0] != seen[-1], "the IDF never moved: the test would prove nothing"
    finally:
        ctx.close()
