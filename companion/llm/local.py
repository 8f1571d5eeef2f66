"""`LocalChatModel`: a LangChain chat model over a transformers causal LM, offline.

The model's own chat template turns messages into a prompt. Streaming runs `generate` in a
thread and reads tokens from a `TextIteratorStreamer`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr
from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from companion.llm.weights import LocalModelSource, load_causal_lm, resolve_source

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


class LocalChatModel(BaseChatModel):
    """A small instruction-tuned model run in-process (GGUF file or Hugging Face folder).

    Args:
        model_path: a `.gguf` file or a model folder; default: the bundled SmolLM2-135M.
        data_dir: where the dequantised copy of a GGUF model is cached.
        max_tokens: new tokens per answer.
        temperature: 0 for greedy decoding (deterministic), above 0 to sample.
        timeout: seconds a generation may run before it stops.
        threads: torch intra-op threads (None keeps torch's default).
    """

    model_path: str | None = None
    data_dir: Path = Path(".companion")
    max_tokens: int = 400
    temperature: float = 0.0
    timeout: float = 60.0
    threads: int | None = None

    _loaded: tuple[Any, Any] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "companion-local-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "temperature": self.temperature}

    @property
    def source(self) -> LocalModelSource:
        """The weights this model loads, and their cache folder."""
        return resolve_source(self.model_path, self.data_dir)

    def load(self) -> tuple[Any, Any]:
        """The transformers model and tokenizer (loaded once, thread-safely)."""
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    if self.threads:
                        torch.set_num_threads(self.threads)
                    self._loaded = load_causal_lm(self.source)
        return self._loaded

    def _inputs(self, messages: list[BaseMessage]) -> Any:
        _, tokenizer = self.load()
        chat = [
            {"role": _ROLES.get(m.type, "user"), "content": _defang(m.text, tokenizer)}
            for m in messages
        ]
        prompt = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        return tokenizer(prompt, return_tensors="pt", add_special_tokens=False)

    def _generation_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        temperature = kwargs.get("temperature", self.temperature)
        opts: dict[str, Any] = {
            "max_new_tokens": kwargs.get("max_tokens", self.max_tokens),
            "max_time": self.timeout,
        }
        if temperature and temperature > 0:
            opts.update(do_sample=True, temperature=temperature, top_p=0.95)
        else:
            opts.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return opts

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(
            chunk.text for chunk in self._stream(messages, stop, run_manager=None, **kwargs)
        )
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        model, tokenizer = self.load()
        inputs = self._inputs(messages)
        streamer = TextIteratorStreamer(
            tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=self.timeout
        )
        failure: list[BaseException] = []
        cancelled = threading.Event()

        def run() -> None:
            try:
                with torch.inference_mode():
                    model.generate(
                        **inputs,
                        streamer=streamer,
                        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                        stopping_criteria=StoppingCriteriaList([_Cancelled(cancelled)]),
                        **self._generation_kwargs(**kwargs),
                    )
            except BaseException as exc:  # re-raised in the caller's thread below
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        emitted = ""
        try:
            for piece in streamer:
                if not piece:
                    continue
                emitted += piece
                cut = _stop_index(emitted, stop)
                if cut is not None:
                    piece = piece[: max(0, len(piece) - (len(emitted) - cut))]
                if piece:
                    if run_manager:
                        run_manager.on_llm_new_token(piece)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if cut is not None:
                    break
        finally:
            # A caller that stops reading (a stop sequence, "NOT COVERED", a closed connection)
            # stops the model at its next token instead of letting it run to max_tokens.
            cancelled.set()
            worker.join(timeout=self.timeout)
        if failure:
            raise failure[0]


class _Cancelled(StoppingCriteria):
    """A stopping criterion that ends generation once the reader has gone."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


def _stop_index(text: str, stop: list[str] | None) -> int | None:
    hits = [text.find(s) for s in stop or [] if s and s in text]
    return min(hits) if hits else None


def _defang(text: str, tokenizer: Any) -> str:
    """Message text with the tokenizer's special-token strings broken up.

    Otherwise text such as `<|im_start|>system` inside a message would be tokenised as the real
    control tokens and could open a new system turn.
    """
    for token in getattr(tokenizer, "all_special_tokens", []):
        if len(token) > 1 and token in text:
            text = text.replace(token, f"{token[0]} {token[1:]}")
    return text
