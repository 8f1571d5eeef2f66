"""Ingest with the real model, Chroma and SQLite: idempotence, replace, delete, bad input."""

from pathlib import Path

import pytest

from companion.app import build_pipeline
from companion.core.errors import NotFoundError
from companion.features.ask.service import AnswerService
from companion.retrieval.context import Context

pytestmark = pytest.mark.slow

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Amara Okafor>Always put the recommendation in the first paragraph of a submission.

00:00:06.500 --> 00:00:12.000
<v Tom Reyes>Why the first paragraph rather than the summary box?

00:00:12.500 --> 00:00:20.000
<v Amara Okafor>Because the minister reads the top on a Sunday night and little else.
"""

NOTES = """---
title: Resilience during the restructure
date: 2026-03-04
kind: workshop
facilitator: Priya Shah
---
# Notes

- Name what you cannot control, then park it.
- Book a weekly walk with someone outside your team.
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _vector_count(ctx: Context, session_id: str) -> int:
    return len(ctx.vectors.ids_for_session(session_id))


def test_ingest_then_reingest_unchanged_embeds_nothing(ctx, tmp_path):
    _write(tmp_path, "ministers.vtt", VTT)
    _write(tmp_path, "resilience.md", NOTES)
    pipeline = build_pipeline(ctx)
    first = pipeline.ingest([tmp_path / "in"])
    assert first.ok and sorted(first.added) == ["ministers", "resilience"]
    assert first.chunks_embedded >= 2
    listed = {s.id: s for s in ctx.catalog.list_sessions()}
    assert listed["ministers"].turns == 3 and listed["resilience"].turns == 2
    assert listed["resilience"].title == "Resilience during the restructure"
    assert listed["resilience"].kind == "workshop"

    second = pipeline.ingest([tmp_path / "in"])
    assert second.chunks_embedded == 0 and sorted(second.unchanged) == ["ministers", "resilience"]
    assert _vector_count(ctx, "ministers") == listed["ministers"].chunks


def test_a_copy_of_the_corpus_elsewhere_is_not_a_second_session(ctx, tmp_path):
    _write(tmp_path, "ministers.vtt", VTT)
    pipeline = build_pipeline(ctx)
    assert pipeline.ingest([tmp_path / "in"]).added == ["ministers"]
    copy = tmp_path / "copy" / "ministers.vtt"
    copy.parent.mkdir()
    copy.write_text(VTT, encoding="utf-8")
    again = pipeline.ingest([copy.parent])
    assert again.unchanged == ["ministers"] and again.chunks_embedded == 0
    assert [s.id for s in ctx.catalog.list_sessions()] == ["ministers"]
    # A different file that only shares the stem is still its own session.
    copy.write_text(VTT.replace("Sunday night", "Friday evening"), encoding="utf-8")
    other = pipeline.ingest([copy.parent])
    assert len(other.added) == 1 and other.added[0].startswith("ministers-")
    assert len(ctx.catalog.list_sessions()) == 2


def test_changed_file_replaces_its_session_and_stale_vectors_go(ctx, tmp_path):
    path = _write(tmp_path, "ministers.vtt", VTT)
    pipeline = build_pipeline(ctx)
    pipeline.ingest([path])
    old_ids = ctx.catalog.chunk_ids("ministers")
    path.write_text(VTT.replace("Sunday night", "Friday evening"), encoding="utf-8")
    report = pipeline.ingest([path])
    assert report.replaced == ["ministers"]
    new_ids = ctx.catalog.chunk_ids("ministers")
    assert new_ids != old_ids
    assert ctx.vectors.ids_for_session("ministers") == new_ids
    texts = " ".join(t.text for t in ctx.catalog.turns("ministers"))
    assert "Friday evening" in texts and "Sunday night" not in texts


def test_bad_file_in_a_batch_is_reported_and_the_rest_ingests(ctx, tmp_path):
    _write(tmp_path, "good.vtt", VTT)
    (tmp_path / "in" / "junk.vtt").write_bytes(b"\x00\x01\x02binary")
    _write(tmp_path, "slides.pdf", "not a transcript")
    report = build_pipeline(ctx).ingest([tmp_path / "in"])
    assert report.added == ["good"]
    assert len(report.failed) == 2
    assert any("junk.vtt" in f and "binary" in f for f in report.failed)
    assert any("slides.pdf" in f and "unsupported" in f for f in report.failed)


def test_a_bad_new_version_loses_nothing_already_stored(ctx, tmp_path):
    path = _write(tmp_path, "ministers.vtt", VTT)
    pipeline = build_pipeline(ctx)
    pipeline.ingest([path])
    before = ctx.catalog.chunk_ids("ministers")
    path.write_text(VTT.replace("00:00:12.500 --> 00:00:20.000", "00:00:02.500 --> 00:00:01.000"))
    report = pipeline.ingest([path])
    assert not report.ok and "ministers.vtt" in report.failed[0]
    assert ctx.catalog.chunk_ids("ministers") == before
    assert ctx.vectors.ids_for_session("ministers") == before


def test_delete_removes_rows_vectors_and_lexical_index(ctx, tmp_path):
    _write(tmp_path, "ministers.vtt", VTT)
    _write(tmp_path, "resilience.md", NOTES)
    pipeline = build_pipeline(ctx)
    pipeline.ingest([tmp_path / "in"])
    pipeline.delete("ministers")
    assert [s.id for s in ctx.catalog.list_sessions()] == ["resilience"]
    assert _vector_count(ctx, "ministers") == 0
    assert ctx.catalog.search_lexical('"paragraph"', 10) == []
    with pytest.raises(NotFoundError):
        pipeline.delete("ministers")


def test_interrupted_store_is_reconciled_on_the_next_run(ctx, tmp_path):
    """A run killed after writing vectors but before the catalog commit leaves no trace."""
    path = _write(tmp_path, "ministers.vtt", VTT)
    pipeline = build_pipeline(ctx)
    pipeline.ingest([path])
    committed = ctx.catalog.chunk_ids("ministers")
    # simulate the kill: the journal is open and a new version's vectors were written
    from ingest.chunking import Chunk

    stray = Chunk(
        id="ministers:stray",
        session_id="ministers",
        text="Stray text.",
        speakers=[],
        turn_start=0,
        turn_end=0,
    )
    ctx.catalog.journal_open("ministers")
    ctx.vectors.add([stray], [{"session_id": "ministers", "consent": True}])
    # the stray vector is never retrievable: retrieval joins the catalog
    hits = ctx.retriever.retrieve("Stray text.").chunks
    assert all(h.id in committed for h in hits)
    assert pipeline.ingest([path]).unchanged == ["ministers"]
    assert ctx.vectors.ids_for_session("ministers") == committed
    assert ctx.catalog.journal_pending() == []


def test_answers_cite_verbatim_quotes_that_verify(ctx, tmp_path):
    _write(tmp_path, "ministers.vtt", VTT)
    _write(tmp_path, "resilience.md", NOTES)
    build_pipeline(ctx).ingest([tmp_path / "in"])
    answer = AnswerService(ctx).ask("Where should the recommendation go in a submission?")
    assert not answer.abstained
    top = answer.citations[0]
    assert top.session_id == "ministers" and top.speaker == "Amara Okafor"
    assert top.quote == "Always put the recommendation in the first paragraph of a submission."
    assert (top.start, top.end, top.turn_start, top.turn_end) == (1.0, 6.0, 0, 0)
    assert all(ctx.verifier.citation_is_valid(c) for c in answer.citations)
    assert answer.verification and answer.verification.dropped == 0


def test_off_topic_question_abstains_plainly(ctx, tmp_path):
    _write(tmp_path, "ministers.vtt", VTT)
    build_pipeline(ctx).ingest([tmp_path / "in"])
    answer = AnswerService(ctx).ask("How do I descale a kettle?")
    assert answer.abstained and answer.citations == []
    assert answer.answer.startswith("The sessions don't cover this question.")


def _copied_ids(ctx: Context) -> set[str]:
    return {r[0] for r in ctx.catalog.conn.execute("SELECT chunk_id FROM chunk_vectors")}


def test_catalog_keeps_the_vectors_chroma_holds_in_step_with_its_chunks(ctx, tmp_path):
    """Retrieval reads chunk vectors from the catalog's copy: it must be Chroma's, no more."""
    import numpy as np

    path = _write(tmp_path, "ministers.vtt", VTT)
    _write(tmp_path, "resilience.md", NOTES)
    pipeline = build_pipeline(ctx)
    pipeline.ingest([tmp_path / "in"])
    ids = sorted(ctx.catalog.chunk_ids("ministers") | ctx.catalog.chunk_ids("resilience"))
    copy, chroma = ctx.catalog.chunk_vectors(ids), ctx.vectors.vectors_of(ids)
    assert sorted(copy) == ids == sorted(chroma)
    for cid in ids:
        assert np.array_equal(copy[cid], np.asarray(chroma[cid], dtype=np.float32))
    path.write_text(VTT.replace("Sunday night", "Friday evening"), encoding="utf-8")
    pipeline.ingest([path])
    assert _copied_ids(ctx) == ctx.catalog.chunk_ids("ministers") | ctx.catalog.chunk_ids(
        "resilience"
    )
    pipeline.delete("ministers")
    assert _copied_ids(ctx) == ctx.catalog.chunk_ids("resilience")


def test_retrieval_without_the_catalog_copy_reads_chroma_and_ranks_the_same(ctx, tmp_path):
    """A store written before the copy existed retrieves exactly as one written after."""
    _write(tmp_path, "ministers.vtt", VTT)
    _write(tmp_path, "resilience.md", NOTES)
    build_pipeline(ctx).ingest([tmp_path / "in"])
    question = "Where should the recommendation go in a submission to the minister?"
    with_copy = ctx.retriever.retrieve(question).chunks
    assert any(c.lexical_rank is None for c in with_copy) or any(
        c.dense_rank is None for c in with_copy
    ), "the test needs a candidate found by one leg only"
    with ctx.catalog.transaction() as conn:
        conn.execute("DELETE FROM chunk_vectors")
    without = ctx.retriever.retrieve(question).chunks
    assert [(c.id, c.similarity, c.lexical_score, c.score) for c in with_copy] == [
        (c.id, c.similarity, c.lexical_score, c.score) for c in without
    ]
