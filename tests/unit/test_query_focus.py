"""A question's topic without its framing: what the dense search embeds with `focus_query`."""

from __future__ import annotations

from pathlib import Path

from companion.retrieval.context import Context
from companion.retrieval.focus import focus
from ingest.pipeline import IngestPipeline

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Marketing>Rubber buttons on the remote feel soft and users liked them in the survey.

00:00:06.500 --> 00:00:12.000
<v Project Manager>Lunch is at noon, and the next meeting is on Thursday.
"""


def test_summary_framing_leaves_the_topic() -> None:
    assert focus("Summarize the discussion about battery life of the remote.") == (
        "battery life of the remote."
    )
    assert focus("What was the conclusion of the discussion on  pricing?") == "pricing?"


def test_whose_words_are_asked_for_stays_in_the_topic() -> None:
    assert focus("What did the Marketing expert think of rubber buttons?") == (
        "the Marketing expert rubber buttons?"
    )
    # "the group" names nobody: it goes with the framing
    assert focus("What did the group discuss about the budget?") == "the budget?"


def test_questions_without_framing_are_unchanged() -> None:
    for question in (
        "How do I win a minister's confidence early on?",
        "Why did the designer reject the curved case?",
        "What was said about?",  # nothing would be left
    ):
        assert focus(question) == question


def test_dense_search_embeds_the_topic_and_returns_the_question_as_asked(
    fake_ctx: Context, tmp_path: Path
) -> None:
    path = tmp_path / "in" / "remote.vtt"
    path.parent.mkdir()
    path.write_text(VTT, encoding="utf-8")
    IngestPipeline(fake_ctx).ingest([path])
    question = "Summarize the discussion about rubber buttons on the remote."
    fake_ctx.settings.retrieval.focus_query = True
    asked = fake_ctx.embeddings.embed_query(question)
    embedded: list[str] = []
    real = fake_ctx.embeddings.embed_query

    def spy(text: str) -> list[float]:
        embedded.append(text)
        return real(text)

    fake_ctx.embeddings.embed_query = spy  # type: ignore[method-assign]
    found = fake_ctx.retriever.retrieve(question)
    assert "rubber buttons on the remote." in embedded
    # what peers read as the topic's vector is still the question as asked
    assert found.query_vector == asked


def test_a_framed_question_is_embedded_once_unless_its_vector_is_read(
    fake_ctx: Context, tmp_path: Path
) -> None:
    path = tmp_path / "in" / "remote.vtt"
    path.parent.mkdir()
    path.write_text(VTT, encoding="utf-8")
    IngestPipeline(fake_ctx).ingest([path])
    question = "Summarize the discussion about rubber buttons on the remote."
    fake_ctx.settings.retrieval.focus_query = True
    embedded: list[str] = []
    real = fake_ctx.embeddings.embed_query

    def spy(text: str) -> list[float]:
        embedded.append(text)
        return real(text)

    fake_ctx.embeddings.embed_query = spy  # type: ignore[method-assign]
    found = fake_ctx.retriever.retrieve(question)
    assert embedded == ["rubber buttons on the remote."]  # an answer needs no more
    assert found.query_vector == real(question)  # peers read it: embedded then, once
    found.query_vector  # noqa: B018 (a second read embeds nothing)
    assert embedded == ["rubber buttons on the remote.", question]
