"""The naive LangChain pipeline every report compares the product with.

What a tutorial builds: each session's plain transcript ("Speaker: text" lines) cut by
`RecursiveCharacterTextSplitter` (1000 characters, 100 overlap), embedded with the *same*
embedding model, stored in `langchain_chroma.Chroma` with its defaults, searched with
`similarity_search`. Its chunks are mapped back to turn ranges by character offsets so they are
scored exactly like the product's chunks. Dense-only and BM25-only baselines are the product
retriever's own modes (`HybridRetriever.retrieve(mode=...)`) and need no code here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from companion.core.schemas import Session
from evals.metrics import Ranked

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 100
COLLECTION = "naive_langchain"
BATCH = 256


@dataclass(frozen=True)
class PlainTranscript:
    """A session as plain text, with each turn's character range in it."""

    session_id: str
    text: str
    turns: tuple[tuple[int, int, int], ...]  # (turn index, first char, end char)

    def turn_range(self, start: int, end: int) -> tuple[int, int]:
        """First and last turn index overlapping characters [start, end)."""
        inside = [i for i, a, b in self.turns if a < end and b > start]
        if not inside:  # a chunk of separators only; attach it to the nearest turn before
            inside = [max((t for t in self.turns if t[1] <= start), default=self.turns[0])[0]]
        return inside[0], inside[-1]


def plain_transcript(session: Session) -> PlainTranscript:
    """The session's spoken turns as "Speaker: text" lines, with character offsets."""
    parts: list[str] = []
    turns: list[tuple[int, int, int]] = []
    pos = 0
    for turn in session.turns:
        if not turn.text.strip():
            continue
        line = f"{turn.speaker}: {turn.text}" if turn.speaker else turn.text
        turns.append((turn.index, pos, pos + len(line)))
        parts.append(line)
        pos += len(line) + 1
    return PlainTranscript(session.id, "\n".join(parts), tuple(turns))


def split_documents(
    sessions: Iterable[Session], chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP
) -> list[Document]:
    """The splitter's chunks of every session, each with its session and turn range."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
    )
    docs: list[Document] = []
    for session in sessions:
        plain = plain_transcript(session)
        if not plain.turns:
            continue
        for doc in splitter.create_documents([plain.text], [{"session_id": session.id}]):
            start = int(doc.metadata["start_index"])
            first, last = plain.turn_range(start, start + len(doc.page_content))
            doc.metadata.update(turn_start=first, turn_end=last)
            docs.append(doc)
    return docs


class NaiveLangChainBaseline:
    """The naive pipeline over one corpus, built once in `folder` and reused while unchanged.

    Args:
        embeddings: the same LangChain `Embeddings` the product uses.
        folder: where its own Chroma lives (never the product's).
        show_progress: show a progress bar while embedding.
    """

    def __init__(self, embeddings: Embeddings, folder: Path, show_progress: bool = False) -> None:
        self.embeddings = embeddings
        self.folder = folder
        self.show_progress = show_progress
        self.ranges: list[Ranked] = []
        self._store: Any = None

    def build(self, sessions: Sequence[Session], model_key: str) -> bool:
        """Index the sessions unless this folder already holds them; True when it embedded."""
        key = _corpus_key(sessions, model_key)
        manifest = self.folder / "manifest.json"
        if manifest.is_file():
            saved = json.loads(manifest.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                self.ranges = [(str(s), int(a), int(b)) for s, a, b in saved["ranges"]]
                self._open()
                return False
        shutil.rmtree(self.folder, ignore_errors=True)
        docs = split_documents(sessions)
        store = self._open()
        batches = range(0, len(docs), BATCH)
        if self.show_progress:
            from tqdm import tqdm

            batches = tqdm(
                batches, desc="naive langchain: embed", unit="batch", file=sys.stderr, leave=False
            )
        for i in batches:
            batch = docs[i : i + BATCH]
            store.add_documents(batch, ids=[f"naive-{i + j}" for j in range(len(batch))])
        self.ranges = [
            (d.metadata["session_id"], d.metadata["turn_start"], d.metadata["turn_end"])
            for d in docs
        ]
        manifest.write_text(json.dumps({"key": key, "ranges": self.ranges}), encoding="utf-8")
        return True

    def _open(self) -> Any:
        from chromadb.config import Settings as ChromaClientSettings
        from langchain_chroma import Chroma

        self.folder.mkdir(parents=True, exist_ok=True)
        self._store = Chroma(
            collection_name=COLLECTION,
            embedding_function=self.embeddings,
            persist_directory=str(self.folder),
            client_settings=ChromaClientSettings(
                anonymized_telemetry=False, is_persistent=True, persist_directory=str(self.folder)
            ),
        )
        return self._store

    def search(self, question: str, k: int) -> list[Ranked]:
        """The k most similar chunks as (session, first turn, last turn)."""
        docs = self._store.similarity_search(question, k=k)
        return [
            (d.metadata["session_id"], d.metadata["turn_start"], d.metadata["turn_end"])
            for d in docs
        ]


def _corpus_key(sessions: Sequence[Session], model_key: str) -> str:
    digest = hashlib.sha256(f"{CHUNK_SIZE}:{CHUNK_OVERLAP}:{model_key}".encode())
    for s in sorted(sessions, key=lambda s: s.id):
        digest.update(f"\x1f{s.id}:{s.content_hash}".encode())
    return digest.hexdigest()
