"""The manifest of an exported state: format, versions, counts and the embedding model."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel, Field

from companion.core.errors import CompanionError
from companion.retrieval.context import Context

FORMAT = "learning-companion-state"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite3"
VECTORS = "vectors.npy"
RECORDS = "vectors.jsonl"
# Files of a sentence-transformers folder that define what it computes (not where it lives).
_MODEL_FILES = ("config.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json")


class TransferError(CompanionError):
    """An export or import that cannot be done as asked."""

    title = "State cannot be moved"
    status = 409


class EmbeddingIdentity(BaseModel):
    """Which model made the vectors, independent of the folder it is installed in."""

    name: str
    dimension: int
    fingerprint: str = Field(description="digest of the model's config files and weight sizes")


class Manifest(BaseModel):
    """What an export holds."""

    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    companion_version: str
    created_at: str
    embedding: EmbeddingIdentity
    counts: dict[str, int]
    excluded_tables: list[str] = Field(default_factory=list)

    def write(self, folder: Path) -> None:
        """Write manifest.json into the folder."""
        (folder / MANIFEST).write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read and check manifest.json.

        Raises:
            TransferError: No manifest, or one of another format or a newer version.
        """
        path = folder / MANIFEST
        if not path.is_file():
            raise TransferError(f"{folder}: no {MANIFEST}; not an export of the companion")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls.model_validate(data)
        except ValueError as exc:
            raise TransferError(f"{path}: unreadable manifest ({exc})") from exc
        if manifest.format != FORMAT or manifest.format_version > FORMAT_VERSION:
            raise TransferError(
                f"{path}: format {manifest.format} v{manifest.format_version} is not one this "
                f"version reads ({FORMAT} v{FORMAT_VERSION})"
            )
        return manifest


def companion_version() -> str:
    """The installed package version."""
    try:
        return version("learning-companion")
    except PackageNotFoundError:
        return "unknown"


def embedding_identity(ctx: Context) -> EmbeddingIdentity:
    """The identity of the configured embedding model (loads it for its dimension)."""
    folder = Path(ctx.settings.resolved_model_path())
    name = folder.parent.name if folder.name == "model" else folder.name
    digest = hashlib.sha256()
    for rel in _MODEL_FILES:
        file = folder / rel
        if file.is_file():
            digest.update(rel.encode() + b"\0" + file.read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return EmbeddingIdentity(
        name=name, dimension=ctx.embeddings.dimension, fingerprint=digest.hexdigest()[:16]
    )


def check_same_model(manifest: Manifest, here: EmbeddingIdentity) -> None:
    """Refuse vectors made by another model: they would be compared with the wrong queries.

    Raises:
        TransferError: A different dimension or model.
    """
    there = manifest.embedding
    if there.dimension != here.dimension:
        raise TransferError(
            f"the export's vectors have {there.dimension} dimensions ({there.name}) but the "
            f"configured embedding model makes {here.dimension} ({here.name}); configure the "
            "same model (COMPANION_EMBEDDING__MODEL_PATH) or re-ingest the sources instead"
        )
    if there.fingerprint != here.fingerprint:
        raise TransferError(
            f"the export was embedded with {there.name} ({there.fingerprint}) but the "
            f"configured model is {here.name} ({here.fingerprint}); configure the same model "
            "(COMPANION_EMBEDDING__MODEL_PATH) or re-ingest the sources instead"
        )
