"""`embed_many` encodes a text once per process, however many features ask for it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from companion.storage.embeddings import SentenceTransformerEmbeddings

pytestmark = pytest.mark.slow


def test_repeated_texts_are_encoded_once_and_give_the_same_rows(
    embeddings: SentenceTransformerEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["Ring the private secretary first.", "Put the recommendation at the top."]
    direct = embeddings._encode(texts, False)
    first = embeddings.embed_many(texts)
    asked: list[list[str]] = []
    real = embeddings._encode

    def recording(batch: list[str], progress: bool, batch_size: int | None = None) -> Any:
        asked.append(list(batch))
        return real(batch, progress, batch_size)

    monkeypatch.setattr(embeddings, "_encode", recording)
    again = embeddings.embed_many([texts[1], "A new sentence about red boxes.", texts[0]])
    assert asked == [["A new sentence about red boxes."]]
    assert np.allclose(first, direct, atol=1e-6)
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])
    assert again.shape == (3, first.shape[1])


def test_a_call_with_more_new_texts_than_the_cache_holds_keeps_every_row() -> None:
    # A long meeting embeds thousands of sentences in one call; rows found in the cache before
    # the call must survive the evictions the call's new texts cause (a mixed-shape crash).
    from tests.fakes import HashingEmbeddings

    fake = HashingEmbeddings()
    fake._recent_max = 3
    warm = fake.embed_many(["alpha one", "beta two"])
    rows = fake.embed_many(["alpha one", "gamma three", "delta four", "epsilon five", "beta two"])
    assert rows.shape == (5, warm.shape[1])
    assert np.allclose(rows[0], warm[0]) and np.allclose(rows[4], warm[1])
    assert len(fake._recent) == 3


def test_sentences_are_encoded_in_small_batches_and_chunks_in_the_configured_one() -> None:
    # A batch is padded to its longest text: the features' short sentences go in batches of
    # SENTENCE_BATCH (less padding), chunk texts keep `batch_size` (their vectors unchanged).
    from companion.storage.embeddings import SENTENCE_BATCH
    from tests.fakes import HashingEmbeddings

    fake = HashingEmbeddings()
    sizes: list[int | None] = []
    real = fake._encode

    def recording(texts: list[str], progress: bool, batch_size: int | None = None) -> Any:
        sizes.append(batch_size)
        return real(texts, progress, batch_size)

    fake._encode = recording  # type: ignore[method-assign]
    fake.embed_many([f"sentence number {i}" for i in range(40)])
    fake.embed_documents(["a chunk of text"])
    assert sizes == [SENTENCE_BATCH, None]
    assert SENTENCE_BATCH < fake.batch_size
