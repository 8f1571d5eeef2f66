"""Chat models by provider name: `settings.llm.provider` picks a factory.

Each provider's LangChain package is an optional extra; a missing one raises the
`missing_extra` error naming the exact `pip install`. Clients get the configured timeout and
no retries of their own: `ChatClient` retries every provider the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from companion.core.errors import ConfigurationError, missing_extra
from companion.core.settings import Settings

ChatFactory = Callable[[Settings], BaseChatModel]

EXTRACTIVE = "extractive"


def _require_model(settings: Settings) -> str:
    if not settings.llm.model:
        raise ConfigurationError(
            f"the '{settings.llm.provider}' provider needs a model name: set COMPANION_LLM__MODEL"
        )
    return settings.llm.model


def _openai(settings: Settings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise missing_extra("langchain-openai", "openai") from exc
    cfg = settings.llm
    kwargs: dict[str, Any] = {
        "model": _require_model(settings),
        "temperature": cfg.temperature,
        "max_tokens": cfg.max_tokens,
        "timeout": cfg.timeout,
        "max_retries": 0,
        # OpenAI-compatible servers (vLLM, llama.cpp) accept any key; the client insists on one.
        "api_key": cfg.api_key or ("unused" if cfg.base_url else None),
    }
    if cfg.base_url:
        kwargs["base_url"] = cfg.base_url
    return ChatOpenAI(**{k: v for k, v in kwargs.items() if v is not None})


def _anthropic(settings: Settings) -> BaseChatModel:
    try:
        from langchain_anthropic import ChatAnthropic
    except ImportError as exc:
        raise missing_extra("langchain-anthropic", "anthropic") from exc
    cfg = settings.llm
    kwargs: dict[str, Any] = {
        "model": _require_model(settings),
        "temperature": cfg.temperature,
        "max_tokens": cfg.max_tokens,
        "timeout": cfg.timeout,
        "max_retries": 0,
        "api_key": cfg.api_key,
        "base_url": cfg.base_url,
    }
    return ChatAnthropic(**{k: v for k, v in kwargs.items() if v is not None})


def _ollama(settings: Settings) -> BaseChatModel:
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise missing_extra("langchain-ollama", "ollama") from exc
    cfg = settings.llm
    kwargs: dict[str, Any] = {
        "model": _require_model(settings),
        "temperature": cfg.temperature,
        "num_predict": cfg.max_tokens,
        "base_url": cfg.base_url,
        "client_kwargs": {"timeout": cfg.timeout},
    }
    return ChatOllama(**{k: v for k, v in kwargs.items() if v is not None})


def _local(settings: Settings) -> BaseChatModel:
    from companion.llm.local import LocalChatModel

    cfg = settings.llm
    return LocalChatModel(
        model_path=cfg.model_path,
        data_dir=settings.data_dir,
        max_tokens=cfg.max_tokens,
        temperature=cfg.temperature,
        timeout=cfg.timeout,
        threads=cfg.threads,
    )


PROVIDERS: dict[str, ChatFactory] = {
    "openai": _openai,
    "anthropic": _anthropic,
    "ollama": _ollama,
    "local": _local,
}


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model `settings.llm.provider` names.

    Raises:
        ConfigurationError: `extractive` or an unknown provider, a missing model name, or a
            provider package that is not installed (naming the pip command).
    """
    name = settings.llm.provider
    factory = PROVIDERS.get(name)
    if factory is None:
        known = ", ".join([EXTRACTIVE, *PROVIDERS])
        detail = (
            "the extractive provider has no chat model"
            if name == EXTRACTIVE
            else f"unknown LLM provider '{name}'"
        )
        raise ConfigurationError(f"{detail}; set COMPANION_LLM__PROVIDER to one of: {known}")
    return factory(settings)
