"""`companion export`: a consistent copy of the whole state, to import on another machine.

The export holds the catalog (a SQLite online backup: sessions, turns, chunks with FTS, tips,
summaries, people, forgotten-person tombstones, feedback, the audit log) without the API keys,
which belong to a deployment, and every chunk's vector exactly as stored (ids, embeddings,
documents, metadata), so the other machine needs no re-embedding.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from companion.features.privacy.manifest import (
    CATALOG,
    RECORDS,
    VECTORS,
    Manifest,
    TransferError,
    companion_version,
    embedding_identity,
)
from companion.retrieval.context import Context
from ingest.audit import AuditLog
from ingest.service import AuditedPipeline

EXCLUDED_TABLES = ("api_keys",)
BATCH = 500


def is_archive(path: Path) -> bool:
    """True for a .tar.gz / .tgz path (else the export is a folder)."""
    return path.name.endswith((".tar.gz", ".tgz"))


def export_state(
    ctx: Context, path: Path, actor: str, pipeline: AuditedPipeline | None = None
) -> Manifest:
    """Write the state to a folder or a .tar.gz archive.

    Args:
        ctx: the stores.
        path: a new folder, or a .tar.gz / .tgz file.
        actor: who the audit log names.
        pipeline: when given, a killed ingest's stray vectors are cleared first.

    Raises:
        TransferError: The target exists (and is not an empty folder), or a chunk has no vector.
    """
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        raise TransferError(f"{path} already exists; export to a new path")
    if pipeline is not None:
        pipeline.reconcile()  # a killed ingest's stray vectors are not exported
    with tempfile.TemporaryDirectory(prefix="companion-export-") as tmp:
        stage = Path(tmp) / "state"
        stage.mkdir()
        counts = _backup_catalog(ctx, stage / CATALOG)
        counts["vectors"] = _export_vectors(ctx, stage)
        manifest = Manifest(
            companion_version=companion_version(),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            embedding=embedding_identity(ctx),
            counts=counts,
            excluded_tables=list(EXCLUDED_TABLES),
        )
        manifest.write(stage)
        path.parent.mkdir(parents=True, exist_ok=True)
        if is_archive(path):
            with tarfile.open(path, "w:gz") as tar:
                for file in sorted(stage.iterdir()):
                    tar.add(file, arcname=file.name)
        else:
            shutil.copytree(stage, path, dirs_exist_ok=True)
    AuditLog(ctx.catalog).record(actor, "state.exported", str(path), counts)
    return manifest


def _backup_catalog(ctx: Context, target: Path) -> dict[str, int]:
    """A consistent copy of the catalog (online backup), without credentials."""
    dst = sqlite3.connect(target)
    try:
        ctx.catalog.conn.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        names = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in EXCLUDED_TABLES:
            if table in names:
                dst.execute(f"DELETE FROM {table}")
        dst.execute("DELETE FROM vector_journal")
        dst.commit()
        dst.execute("VACUUM")
        return {
            name: int(dst.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
            for name in ("sessions", "turns", "chunks")
        }
    finally:
        dst.close()


def _export_vectors(ctx: Context, stage: Path) -> int:
    """Every catalog chunk's vector, in the backup's chunk order: .npy matrix + .jsonl records."""
    src = sqlite3.connect(stage / CATALOG)
    try:
        ids = [r[0] for r in src.execute("SELECT id FROM chunks ORDER BY rowid")]
    finally:
        src.close()
    collection = ctx.vectors.collection
    dim = ctx.embeddings.dimension
    if not ids:  # a memory map cannot be empty
        np.save(stage / VECTORS, np.zeros((0, dim), dtype=np.float32))
        (stage / RECORDS).write_text("", encoding="utf-8")
        return 0
    matrix = np.lib.format.open_memmap(
        stage / VECTORS, mode="w+", dtype=np.float32, shape=(len(ids), dim)
    )
    with (stage / RECORDS).open("w", encoding="utf-8") as out:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            got = collection.get(ids=batch, include=["embeddings", "documents", "metadatas"])
            found: dict[str, tuple[Any, Any, Any]] = {
                i: (e, d, m) for i, e, d, m in zip(
                    got["ids"], got["embeddings"], got["documents"], got["metadatas"], strict=True
                )
            }
            missing = [i for i in batch if i not in found]
            if missing:
                raise TransferError(
                    f"{len(missing)} chunks have no vector (e.g. {missing[0]}); run "
                    "`companion ingest` on the sources again, then export"
                )
            for n, chunk_id in enumerate(batch):
                embedding, document, metadata = found[chunk_id]
                matrix[start + n] = np.asarray(embedding, dtype=np.float32)
                out.write(json.dumps({"id": chunk_id, "document": document,
                                      "metadata": metadata}, ensure_ascii=False) + "\n")
    matrix.flush()
    del matrix
    return len(ids)
