"""Shared fixtures: every test gets its own data directory; the real model loads once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.core.settings import Settings
from companion.retrieval.context import Context
from companion.storage.embeddings import SentenceTransformerEmbeddings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
QMSUM_VAL = ROOT.parent / "shared" / "data" / "qmsum" / "val"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches ./.companion or another test's state."""
    for var in ("COMPANION_CHROMA__URL", "COMPANION_LLM__PROVIDER", "COMPANION_CATALOG_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embeddings() -> SentenceTransformerEmbeddings:
    """The real bundled all-MiniLM-L6-v2, loaded once per test run."""
    model = SentenceTransformerEmbeddings(Settings().resolved_model_path())
    model.embed_query("warm up")
    return model


@pytest.fixture
def fake_ctx(tmp_path: Path) -> Iterator[Context]:
    """A fresh context with hashing embeddings: for logic tests that do not measure retrieval."""
    from tests.fakes import HashingEmbeddings

    context = Context(Settings(data_dir=tmp_path / "data"), embeddings=HashingEmbeddings())
    yield context
    context.close()


@pytest.fixture
def ctx(tmp_path: Path, embeddings: SentenceTransformerEmbeddings) -> Iterator[Context]:
    """A fresh context on this test's own data directory."""
    context = Context(Settings(data_dir=tmp_path / "data"), embeddings=embeddings)
    yield context
    context.close()


@pytest.fixture(scope="session")
def samples_data_dir(
    tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceTransformerEmbeddings
) -> Path:
    """A data directory with the sample corpus ingested once (copy it before writing)."""
    from companion.app import build_pipeline

    data = tmp_path_factory.mktemp("samples") / "data"
    context = Context(Settings(data_dir=data), embeddings=embeddings)
    report = build_pipeline(context).ingest([SAMPLES / "sessions"])
    assert report.ok, report.failed
    context.close()
    return data


@pytest.fixture
def samples_ctx(
    tmp_path: Path, samples_data_dir: Path, embeddings: SentenceTransformerEmbeddings
) -> Iterator[Context]:
    """A context over a private copy of the ingested sample corpus."""
    data = tmp_path / "samples-data"
    shutil.copytree(samples_data_dir, data)
    context = Context(Settings(data_dir=data), embeddings=embeddings)
    yield context
    context.close()
