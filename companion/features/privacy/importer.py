"""`companion import`: load an export into the configured stores, without re-embedding.

Order of writes (as in ingest, the catalog is the source of truth): upsert the exported vectors,
replace the catalog through SQLite's backup API, then delete vectors the new catalog does not
have. This machine's API keys and audit entries are kept: credentials belong to a deployment and
an import must not erase the record of what was done here.
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.feature import Migration
from companion.features.privacy.export import BATCH, is_archive
from companion.features.privacy.manifest import (
    CATALOG,
    RECORDS,
    VECTORS,
    Manifest,
    TransferError,
    check_same_model,
    embedding_identity,
)
from companion.retrieval.context import Context
from companion.storage.migrations import apply_migrations
from ingest.audit import SCHEMA as AUDIT_SCHEMA
from ingest.audit import AuditLog


def import_state(
    ctx: Context,
    path: Path,
    actor: str,
    replace: bool = False,
    migrations: Sequence[Migration] = (),
) -> Manifest:
    """Load an export (folder or .tar.gz) into this machine's catalog and vector store.

    Raises:
        TransferError: Not an export, another embedding model, inconsistent files, or a
            non-empty target without `replace`.
    """
    if not path.exists():
        raise TransferError(f"{path}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="companion-import-") as tmp:
        folder = _unpack(path, Path(tmp)) if is_archive(path) else path
        manifest = Manifest.read(folder)
        check_same_model(manifest, embedding_identity(ctx))
        _check_files(folder, manifest)
        if not replace and _has_state(ctx):
            raise TransferError(
                "this machine already has sessions or vectors; import with --replace to "
                "replace them (export them first to keep a copy)"
            )
        imported = _upsert_vectors(ctx, folder)
        _replace_catalog(ctx, folder / CATALOG, migrations)
        _delete_other_vectors(ctx, imported)
    AuditLog(ctx.catalog).record(
        actor, "state.imported", str(path), {**manifest.counts, "replace": replace}
    )
    return manifest


def _unpack(archive: Path, into: Path) -> Path:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise TransferError(f"{archive}: not a readable .tar.gz ({exc})") from exc
    return into


def _check_files(folder: Path, manifest: Manifest) -> None:
    for name in (CATALOG, VECTORS, RECORDS):
        if not (folder / name).is_file():
            raise TransferError(f"{folder}: {name} is missing")
    shape = np.load(folder / VECTORS, mmap_mode="r").shape
    expected = (manifest.counts.get("vectors", -1), manifest.embedding.dimension)
    if shape != expected:
        raise TransferError(f"{folder / VECTORS}: shape {shape}, the manifest says {expected}")


def _has_state(ctx: Context) -> bool:
    return ctx.catalog.counts()["sessions"] > 0 or ctx.vectors.count() > 0


def _records(folder: Path) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch: list[tuple[int, dict[str, Any]]] = []
    with (folder / RECORDS).open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            batch.append((n, json.loads(line)))
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _upsert_vectors(ctx: Context, folder: Path) -> set[str]:
    """Upsert the exported vectors as they are (no embedding); returns their ids."""
    matrix = np.load(folder / VECTORS, mmap_mode="r")
    collection = ctx.vectors.collection
    ids: set[str] = set()
    for batch in _records(folder):
        rows = [n for n, _ in batch]
        if rows[-1] >= len(matrix):
            raise TransferError(f"{folder / RECORDS} has more records than {VECTORS} has rows")
        collection.upsert(
            ids=[r["id"] for _, r in batch],
            embeddings=np.asarray(matrix[rows[0] : rows[-1] + 1], dtype=np.float32),
            documents=[r["document"] for _, r in batch],
            metadatas=[r["metadata"] for _, r in batch],
        )
        ids.update(r["id"] for _, r in batch)
    return ids


def _replace_catalog(ctx: Context, source: Path, migrations: Sequence[Migration]) -> None:
    """Replace the catalog's contents, keeping this machine's API keys and audit log."""
    catalog = ctx.catalog
    kept = {name: _rows(catalog.conn, name) for name in ("api_keys", "audit_log")}
    src = sqlite3.connect(source)
    try:
        src.backup(catalog.conn)
    finally:
        src.close()
    _ensure_feature_schemas(ctx, migrations)
    with catalog.transaction() as conn:
        conn.execute("DELETE FROM vector_journal")
        for row in kept["api_keys"]:
            conn.execute(
                f"INSERT OR REPLACE INTO api_keys ({','.join(row)}) "
                f"VALUES ({','.join('?' * len(row))})", tuple(row.values()),
            )
        for row in kept["audit_log"]:
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                (row["at"], row["actor"], row["action"], row["target"], row["detail"]),
            )


def _rows(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if not exists:
        return []
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]


def _ensure_feature_schemas(ctx: Context, migrations: Sequence[Migration]) -> None:
    """Tables an older export may lack: every feature's migrations, applied in order."""
    ctx.catalog.ensure_schema(AUDIT_SCHEMA)
    apply_migrations(ctx.catalog, migrations)


def _delete_other_vectors(ctx: Context, keep: set[str]) -> None:
    collection = ctx.vectors.collection
    stale: list[str] = []
    offset = 0
    while True:
        got = collection.get(include=[], limit=BATCH * 4, offset=offset)
        if not got["ids"]:
            break
        stale.extend(i for i in got["ids"] if i not in keep)
        offset += len(got["ids"])
    ctx.vectors.delete(stale)
