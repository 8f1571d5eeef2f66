"""The same ingest and ask against a real `chroma run` server instead of embedded Chroma."""

import pytest

from companion.app import build_pipeline
from companion.core.settings import ChromaSettings, Settings
from companion.features.ask.service import AnswerService
from companion.retrieval.context import Context

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path, embeddings):
    settings = Settings(data_dir=tmp_path / "data", chroma=ChromaSettings(url=chroma_server))
    ctx = Context(settings, embeddings=embeddings)
    src = tmp_path / "briefing.txt"
    src.write_text(
        "Amara Okafor: Send the private office a one-page note before the meeting.\n"
        "Tom Reyes: Does that include the lines to take?\n"
        "Amara Okafor: Yes, lines to take go on the same page, with the decision at the top.\n",
        encoding="utf-8",
    )
    report = build_pipeline(ctx).ingest([src])
    assert report.added == ["briefing"]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
    assert ctx.vectors.count() == ctx.catalog.counts()["chunks"] > 0
    answer = AnswerService(ctx).ask("What should I send the private office before a meeting?")
    assert not answer.abstained
    assert answer.citations[0].speaker == "Amara Okafor"
    assert all(ctx.verifier.citation_is_valid(c) for c in answer.citations)
    assert build_pipeline(ctx).ingest([src]).chunks_embedded == 0
