"""`companion.CompanionRetriever`: a LangChain retriever over a data dir `ingest` wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.retrievers import BaseRetriever

from companion import CompanionRetriever
from companion.app import build_pipeline
from companion.core.settings import Settings
from companion.retrieval.context import Context
from companion.storage.embeddings import SentenceTransformerEmbeddings

pytestmark = pytest.mark.slow

SHARED = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Amara Okafor>Put the recommendation in the first paragraph of a submission.

00:00:06.500 --> 00:00:12.000
<v Tom Reyes>And the background goes in an annex the minister can skip.
"""
PRIVATE = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Lee Chan>Our submission recommendation always goes in a private annex nobody reads.
"""


def test_retriever_returns_cited_documents_and_never_private_sessions(
    tmp_path: Path, embeddings: SentenceTransformerEmbeddings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shared.vtt").write_text(SHARED)
    (folder / "shared.yaml").write_text("title: Writing submissions\nconsent: true\n")
    (folder / "private.vtt").write_text(PRIVATE)
    (folder / "private.yaml").write_text("title: Team retro\nconsent: false\n")
    data = tmp_path / "data"
    ctx = Context(Settings(data_dir=data), embeddings=embeddings)
    assert build_pipeline(ctx).ingest([folder]).ok
    ctx.close()

    retriever = CompanionRetriever.from_data_dir(data, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Where does the recommendation go in a submission?")

    assert docs and docs[0].metadata["session_id"] == "shared"
    assert "first paragraph" in docs[0].page_content
    meta = docs[0].metadata
    assert meta["speakers"] == ["Amara Okafor", "Tom Reyes"] or "Amara Okafor" in meta["speakers"]
    assert meta["turn_start"] == 0 and meta["start"] == pytest.approx(1.0)
    assert meta["url"].startswith("/sessions/shared")
    assert all(d.metadata["session_id"] != "private" for d in docs)
