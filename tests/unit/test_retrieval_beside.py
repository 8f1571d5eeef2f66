"""The lexical legs of a question run on a helper thread; inside a transaction they run inline."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.retrieval import hybrid
from companion.retrieval.context import Context
from ingest.pipeline import IngestPipeline

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Amara Okafor>Always put the recommendation in the first paragraph of a submission.

00:00:06.500 --> 00:00:12.000
<v Tom Reyes>The private office reads the top of the box on a Sunday night.
"""


class _NoThread:
    def submit(self, *args: object) -> None:
        raise AssertionError("a catalog read left the caller's transaction")


def _ids(ctx: Context, question: str) -> list[tuple[str, int | None, float | None]]:
    found = ctx.retriever.retrieve(question).chunks
    return [(c.id, c.lexical_rank, c.lexical_score) for c in found]


def test_lexical_leg_beside_and_inline_give_the_same_chunks(
    fake_ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "in" / "ministers.vtt"
    path.parent.mkdir()
    path.write_text(VTT, encoding="utf-8")
    IngestPipeline(fake_ctx).ingest([path])
    beside = _ids(fake_ctx, "Where does the recommendation go in a submission?")
    assert beside and beside[0][1] is not None  # the lexical leg (helper thread) found it
    monkeypatch.setattr(hybrid, "_BESIDE", _NoThread())
    with fake_ctx.catalog.transaction():  # inline: the caller's connection, its own rows
        inline = _ids(fake_ctx, "Where does the recommendation go in a submission?")
    assert inline == beside
