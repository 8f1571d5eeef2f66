"""`ChatClient`: one way to call any chat model, with retries, backoff and clear errors.

Retries use exponential backoff and stop early on errors that another attempt cannot fix (a
4xx other than 408/429, a configuration problem). A stream is retried only until its first
chunk: after that, text has been shown and a retry would repeat it. Whatever still fails
becomes a `ProviderError` that names the provider and the cause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Sequence
from typing import TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from companion.core.errors import CompanionError, ProviderError
from companion.core.settings import LLMSettings

T = TypeVar("T")
_RETRYABLE_STATUS = {408, 409, 425, 429}


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt could succeed (network trouble, timeouts, 429, 5xx)."""
    if isinstance(exc, CompanionError | ImportError | TypeError):
        return False
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status >= 500 or status in _RETRYABLE_STATUS
    return True


class ChatClient:
    """Calls a chat model with the configured retries; failures become `ProviderError`.

    Args:
        model: any LangChain chat model.
        settings: retries and backoff (and the provider's name for messages).
        sleep: how to wait between attempts (tests pass a recorder).
    """

    def __init__(
        self,
        model: BaseChatModel,
        settings: LLMSettings,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self.settings = settings
        self.sleep = sleep

    @property
    def attempts(self) -> int:
        """Calls made before giving up."""
        return 1 + max(0, self.settings.max_retries)

    def invoke_text(self, messages: Sequence[BaseMessage]) -> str:
        """The model's whole reply as text."""
        return self._retrying(lambda: self.model.invoke(list(messages)).text)

    def stream_text(self, messages: Sequence[BaseMessage]) -> Generator[str, None, None]:
        """The model's reply as text pieces, as they come; closing it stops the model."""

        def first() -> tuple[Generator[str, None, None], str | None]:
            pieces = (chunk.text for chunk in self.model.stream(list(messages)))
            return pieces, next(pieces, None)

        pieces, head = self._retrying(first)
        try:
            if head is None:
                return
            yield head
            yield from pieces
        except CompanionError:
            raise
        except Exception as exc:
            raise self._error(exc, 1, midway=True) from exc
        finally:
            pieces.close()

    def _retrying(self, call: Callable[[], T]) -> T:
        delay = self.settings.retry_base_delay
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except CompanionError:
                raise
            except Exception as exc:
                if attempt == self.attempts or not is_retryable(exc):
                    raise self._error(exc, attempt) from exc
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _error(self, exc: Exception, attempts: int, midway: bool = False) -> ProviderError:
        where = f" at {self.settings.base_url}" if self.settings.base_url else ""
        when = "stopped mid-answer" if midway else f"failed after {attempts} attempt(s)"
        cause = str(exc).strip() or type(exc).__name__
        return ProviderError(
            f"the '{self.settings.provider}' LLM provider{where} {when}: {cause}"
        )
