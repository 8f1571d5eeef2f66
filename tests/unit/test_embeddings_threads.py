"""Loading the model makes torch's idle OpenMP threads sleep, unless the user chose otherwise."""

from __future__ import annotations

import os

import pytest

from companion.core.errors import ConfigurationError
from companion.storage.embeddings import SentenceTransformerEmbeddings


def _load_missing_model(folder: str) -> None:
    with pytest.raises(ConfigurationError):
        _ = SentenceTransformerEmbeddings(folder).model


def test_idle_threads_sleep_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "unset-below")  # restored after the test
    monkeypatch.delenv("OMP_WAIT_POLICY")
    _load_missing_model(os.path.join(tmp_path, "no-model"))
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_a_wait_policy_the_user_set_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    _load_missing_model(os.path.join(tmp_path, "no-model"))
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
