"""A LangChain `Embeddings` adapter around a sentence-transformers model loaded by path."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from companion.core.errors import ConfigurationError

# Texts per forward pass in `embed_many` (the features' sentences and clauses, 5 to 70 tokens).
# A batch is padded to its longest text: in batches of 64, the tips listener's sentences of four
# QMSum train meetings (Bdb001, Bed004-6) were padded to 1.5x to 3.1x the tokens they hold, in
# batches of 16 to 1.1x to 1.8x. The listener's 950 texts, in its 8 calls, side by side: 11.8 / 13.3
# CPU-s at 64, 9.2 / 8.3 at 16 (8 was no cheaper). Chunks (`embed_documents`) are near the token
# budget, all alike: they keep the configured batch, and their vectors are unchanged.
SENTENCE_BATCH = 16

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence embeddings; the model loads on first use, never from a hub.

    Args:
        model_path: folder of a sentence-transformers model.
        device: torch device name.
        batch_size: texts per forward pass (`embed_many` takes at most `SENTENCE_BATCH`).
        threads: torch intra-op threads (None keeps torch's default).
        show_progress: show a progress bar while embedding documents.
        library_progress: let transformers and huggingface_hub print their own bars and
            info logs ("Loading weights" on every command); off by default.
    """

    def __init__(
        self,
        model_path: str,
        device: str = "cpu",
        batch_size: int = 64,
        threads: int | None = None,
        show_progress: bool = False,
        library_progress: bool = False,
    ) -> None:
        self.model_path = model_path
        self.library_progress = library_progress
        self.device = device
        self.batch_size = batch_size
        self.threads = threads
        self.show_progress = show_progress
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # Sentences that several features embed in one ingest (a session's advice quotes are
        # embedded by the tips registry and again by its summary) are encoded once.
        self._recent: OrderedDict[str, Any] = OrderedDict()
        self._recent_max = 4096

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model (loaded once, thread-safely)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        # The model is loaded by path; make sure nothing tries to reach a hub for metadata.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # Read by OpenMP when torch loads it: idle worker threads sleep instead of spinning.
        # Spinning burnt CPU on every small encode (a session's advice sentences): on the
        # shared 2-core bench machine 2.2x the CPU of the same encode with sleeping threads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        if not os.path.isdir(self.model_path):
            raise ConfigurationError(f"embedding model folder not found: {self.model_path}")
        import torch
        from sentence_transformers import SentenceTransformer

        if not self.library_progress:
            silence_library_progress()
        if self.threads:
            torch.set_num_threads(self.threads)
        return SentenceTransformer(self.model_path, device=self.device)

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        model = self.model
        # sentence-transformers 6 renamed the method; keep working with both.
        getter = getattr(model, "get_embedding_dimension", None)
        getter = getter or model.get_sentence_embedding_dimension
        dim = getter()
        assert dim is not None
        return int(dim)

    def _encode(self, texts: list[str], progress: bool, batch_size: int | None = None) -> Any:
        return self.model.encode(
            texts,
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed chunk texts in batches."""
        if not texts:
            return []
        return self._encode(list(texts), self.show_progress).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self._encode([text], False)[0].tolist()

    def embed_many(self, texts: list[str]) -> Any:
        """Embed texts and return a numpy matrix (rows normalised), for in-process scoring.

        The most recent few thousand texts are remembered, so a text embedded again by another
        feature in the same process costs nothing.
        """
        import numpy as np

        texts = list(texts)
        with self._lock:
            # Taken before any eviction: a call with more texts than the cache holds must not
            # lose rows it found there (that gave arrays of mixed shapes on long meetings).
            found: dict[str, Any] = {t: self._recent[t] for t in texts if t in self._recent}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = self._encode(missing, False, min(self.batch_size, SENTENCE_BATCH))
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                for text, row in zip(missing, fresh, strict=True):
                    self._recent[text] = row
                    self._recent.move_to_end(text)
                while len(self._recent) > self._recent_max:
                    self._recent.popitem(last=False)
        if not texts:
            return self._encode([], False)
        return np.stack([found[t] for t in texts])


def silence_library_progress() -> None:
    """Turn off transformers' and huggingface_hub's own progress bars and info logging."""
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as hf_logging

    disable_progress_bars()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
