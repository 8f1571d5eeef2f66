"""Benchmark corpora built from QMSum val: N chunks of real meeting text, and questions.

A copy of a meeting gets a new file name (so a new session id) and, from the second copy on,
its turn texts rotated within the meeting (turn i speaks turn i+7c's words), so chunks are
new texts of the same length distribution rather than duplicates of the first copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from companion.core.settings import Settings
from ingest.chunking import Chunker, tokenizer_counter
from ingest.parsers import load_session

ROOT = Path(__file__).resolve().parent.parent
QMSUM_VAL = ROOT.parent / "shared" / "data" / "qmsum" / "val"


def chunker(settings: Settings) -> Chunker:
    """The product's chunker (same tokenizer, same budget)."""
    return Chunker(tokenizer_counter(settings.resolved_model_path()), settings.chunking.max_tokens)


def copy_meeting(source: Path, target: Path, copy: int) -> None:
    """Write copy number `copy` of a QMSum meeting (copy 0 is unchanged text)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    entries = data["meeting_transcripts"]
    if copy:
        contents = [e.get("content", "") for e in entries]
        n = len(contents)
        for i, entry in enumerate(entries):
            entry["content"] = contents[(i + 7 * copy) % n]
    target.write_text(json.dumps(data), encoding="utf-8")


def build_corpus(folder: Path, target_chunks: int, settings: Settings) -> dict[str, int]:
    """Fill `folder` with meeting copies until they hold at least `target_chunks` chunks.

    Reuses the folder when its manifest says it was built for the same target.
    """
    manifest = folder.parent / f"{folder.name}.manifest.json"  # not inside: ingest reads *.json
    if manifest.is_file() and folder.is_dir():
        saved = json.loads(manifest.read_text())
        if saved.get("target") == target_chunks:
            return saved
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = sorted(QMSUM_VAL.glob("*.json"))
    split = chunker(settings)
    chunks = files = copy = 0
    while chunks < target_chunks:
        for source in sources:
            target = folder / f"c{copy:03d}-{source.stem}.json"
            copy_meeting(source, target, copy)
            chunks += len(split.chunk(load_session(target)))
            files += 1
            if chunks >= target_chunks:
                break
        copy += 1
    info = {"target": target_chunks, "chunks": chunks, "files": files}
    manifest.write_text(json.dumps(info))
    return info


def corpus_files(folder: Path) -> list[Path]:
    """The meeting files of a corpus folder."""
    return sorted(folder.glob("*.json"))


def chunk_texts(folder: Path, settings: Settings) -> list[str]:
    """The product's chunk texts of a corpus, in ingest order."""
    split = chunker(settings)
    return [c.text for p in corpus_files(folder) for c in split.chunk(load_session(p))]


def questions(limit: int) -> list[str]:
    """QMSum val specific queries, in file order, at most `limit`."""
    out: list[str] = []
    for path in sorted(QMSUM_VAL.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out += [" ".join(q["query"].split()) for q in data.get("specific_query_list", [])]
    return out[:limit]
