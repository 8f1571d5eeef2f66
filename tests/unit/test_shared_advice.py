"""Tips and summaries read one advice analysis per ingested session (real model and stores)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from companion.app import build_pipeline
from companion.core.memo import SessionMemo
from companion.core.schemas import Session, Turn
from companion.core.settings import Settings
from companion.features.summaries.service import SummaryService
from companion.features.tips.store import TipStore
from companion.retrieval.context import Context
from companion.storage.embeddings import SentenceTransformerEmbeddings

pytestmark = pytest.mark.slow

SESSION = Path(__file__).resolve().parents[2] / "samples" / "sessions" / \
    "2026-01-mentoring-hannah-kwame.txt"


class _RecordingEmbeddings(SentenceTransformerEmbeddings):
    """The real model with its embed cache off; records every text the listeners encode."""

    def __init__(self, loaded: SentenceTransformerEmbeddings) -> None:
        super().__init__(loaded.model_path)
        self._model = loaded.model
        self._recent_max = 0  # every embed_many call encodes: nothing is served by the cache
        self.encoded: Counter[str] = Counter()
        self._chunks = False

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self._chunks = True
        try:
            return super().embed_documents(texts)
        finally:
            self._chunks = False

    def _encode(self, texts: list[str], progress: bool, batch_size: int | None = None) -> Any:
        if not self._chunks:
            self.encoded.update(texts)
        return super()._encode(texts, progress, batch_size)


def test_ingest_encodes_each_listener_sentence_once_with_the_embed_cache_off(tmp_path, embeddings):
    recording = _RecordingEmbeddings(embeddings)
    ctx = Context(Settings(data_dir=tmp_path / "data"), embeddings=recording)
    report = build_pipeline(ctx).ingest([SESSION])
    assert report.ok, report.failed
    twice = [text for text, n in recording.encoded.items() if n > 1]
    assert recording.encoded and not twice
    # Both features still got the session's advice: tips were found and the summary lists some.
    summary = SummaryService(ctx).summary(SESSION.stem)
    quotes = {q.quote for q in TipStore(ctx.catalog).quotes()}
    assert summary.tips and quotes
    assert all(any(p.text in q or q in p.text for q in quotes) for p in summary.tips)
    ctx.close()


def test_a_session_loaded_again_is_analysed_again():
    """Keyed by the session object: a copy read back after a redaction never gets stale values."""
    memo = SessionMemo()
    calls: list[str] = []
    first = Session(id="s", title="t", content_hash="h", turns=[Turn(index=0, text="Write it.")])
    again = first.model_copy(update={"turns": [Turn(index=0, text="[redacted]")]})

    def compute(session: Session) -> str:
        calls.append(session.turns[0].text)
        return session.turns[0].text

    assert memo.get(first, "x", lambda: compute(first)) == "Write it."
    assert memo.get(first, "x", lambda: compute(first)) == "Write it."
    assert memo.get(again, "x", lambda: compute(again)) == "[redacted]"
    assert calls == ["Write it.", "[redacted]"]
