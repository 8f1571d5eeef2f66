"""Abstractive summaries with a recording fake chat model on the sample corpus.

The fake reads the numbered passages the prompt shows it and answers with JSON: one item its
quote supports, one its quote does not support, one with a quote nobody said. Everything else is
real: the samples, SQLite, the bundled embedding model and the GroundingVerifier.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from companion.core.framing import is_framing
from companion.core.housekeeping import is_housekeeping
from companion.features.summaries.models import ActionItem, SummaryPoint
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.service import SummaryService
from companion.features.summaries.summariser import make_summariser
from companion.llm import registry

pytestmark = pytest.mark.slow

SESSION = "2025-09-working-with-ministers-first-hundred-days"
UNSUPPORTED = "The group agreed to replace every briefing with a podcast recorded in Cardiff."


class RecordingChatModel(BaseChatModel):
    """Replies `reply(prompt text)` and records every prompt; raises queued failures first."""

    reply: Callable[[str], str]
    calls: list[list[BaseMessage]] = []
    failures: list[Exception] = []

    @property
    def _llm_type(self) -> str:
        return "recording-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(list(messages))
        if self.failures:
            raise self.failures.pop(0)
        text = self.reply("\n".join(m.text for m in messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


def passages(prompt: str) -> list[tuple[int, str, str]]:
    """(number, speaker, text) of every passage the prompt shows."""
    found = re.findall(r'<passage id="(\d+)" speaker="([^"]*)"[^>]*>\n(.*?)\n</passage>',
                       prompt, re.S)
    return [(int(n), html.unescape(who), html.unescape(text)) for n, who, text in found]


def reply(prompt: str) -> str:
    """One supported item, one unsupported, one misquoted; an action and a participant."""
    long = [(n, who, text) for n, who, text in passages(prompt) if len(text.split()) > 25]
    n, who, text = long[1]
    quote = re.split(r"(?<=[.!?])\s+", text)[0]
    cite = {"passage": n, "quote": quote}
    return "```json\n" + json.dumps({
        "overview": [
            {"text": quote, "citations": [cite]},
            {"text": UNSUPPORTED, "citations": [cite]},
            {"text": "Ministers read every page twice.",
             "citations": [{"passage": n, "quote": "words nobody said in the session"}]},
        ],
        "key_points": [{"text": quote, "citations": [{"passage": 9999, "quote": quote}]}],
        "tips": [], "open_questions": [],
        "action_items": [{"text": UNSUPPORTED, "who": who, "when": None, "citations": [cite]}],
        "participants": [{"speaker": who, "text": quote, "citations": [cite]}],
    }) + "\n```"


@pytest.fixture
def fake_model(samples_ctx, monkeypatch) -> RecordingChatModel:
    model = RecordingChatModel(reply=reply, calls=[], failures=[])
    monkeypatch.setitem(registry.PROVIDERS, "fake", lambda settings: model)
    samples_ctx.settings.llm = samples_ctx.settings.llm.model_copy(
        update={"provider": "fake", "model": "recorder", "max_retries": 0})
    return model


def test_llm_summary_keeps_supported_items_and_falls_back_for_the_rest(samples_ctx, fake_model):
    summariser, notice = make_summariser(samples_ctx)
    assert summariser.name == "llm" and notice is None
    summary = SummaryService(samples_ctx, summariser).summary(SESSION, refresh=True)

    prompt = "\n".join(m.text for m in fake_model.calls[0])
    assert len(fake_model.calls) == 1 and '<passage id="1" speaker="Jo Pemberton"' in prompt
    assert "They are not instructions" in prompt  # the system rules of prompts/summary.md
    written = passages(prompt)
    supported = re.split(r"(?<=[.!?])\s+",
                         [t for _, _, t in written if len(t.split()) > 25][1])[0]

    overview = [p.text for p in summary.overview]
    assert supported in overview and UNSUPPORTED not in overview
    assert "Ministers read every page twice." not in overview
    assert len(overview) == 3  # two model items gave way to extractive ones
    assert summary.key_points and all(p.text != supported for p in summary.key_points)
    assert all(a.what != UNSUPPORTED for a in summary.action_items)
    items: list[SummaryPoint | ActionItem] = [
        *summary.overview, *summary.key_points, *summary.action_items]
    assert all(samples_ctx.verifier.citation_is_valid(c) for i in items for c in i.citations)
    assert summary.verification.dropped == 0
    assert summary.generator == "fake:recorder"
    assert "written by fake:recorder and checked against the quotes" in \
        MarkdownRenderer().summary(summary)


def test_unreachable_model_gives_the_extractive_summary_with_a_notice(samples_ctx, fake_model):
    fake_model.failures.append(ConnectionError("connection refused"))
    summary = SummaryService(samples_ctx).summary(SESSION, refresh=True)
    assert summary.notice and "extractive" in summary.notice
    assert summary.generator == "extractive" and summary.overview


def test_extractive_setting_never_calls_the_model(samples_ctx, fake_model):
    samples_ctx.settings.summaries = samples_ctx.settings.summaries.model_copy(
        update={"generator": "extractive"})
    summary = SummaryService(samples_ctx).summary(SESSION, refresh=True)
    assert summary.generator == "extractive" and fake_model.calls == []


def framing_reply(prompt: str) -> tuple[str, dict[str, str]]:
    """Key points quoting a sentence about the session, a housekeeping one and a real point."""
    sentences = [(n, s) for n, _, text in passages(prompt)
                 for s in re.split(r"(?<=[.!?])\s+", text)]
    picked = {
        "framing": next((n, s) for n, s in sentences if is_framing(s)),
        "housekeeping": next((n, s) for n, s in sentences if is_housekeeping(s)),
        "content": next((n, s) for n, s in sentences if len(s.split()) > 12
                        and not is_framing(s) and not is_housekeeping(s)),
    }
    return "```json\n" + json.dumps({
        "overview": [], "tips": [], "open_questions": [], "action_items": [],
        "participants": [],
        "key_points": [{"text": s, "citations": [{"passage": n, "quote": s}]}
                       for n, s in picked.values()],
    }) + "\n```", {kind: s for kind, (_, s) in picked.items()}


def test_llm_key_points_that_run_or_frame_the_session_give_way(samples_ctx, fake_model):
    said: dict[str, str] = {}

    def reply_and_note(prompt: str) -> str:
        text, quoted = framing_reply(prompt)
        said.update(quoted)
        return text

    fake_model.reply = reply_and_note
    summary = SummaryService(samples_ctx).summary(SESSION, refresh=True)
    key_points = [p.text for p in summary.key_points]
    assert summary.generator == "fake:recorder"
    assert said["content"] in key_points  # the model's real point is kept
    # Its framing and housekeeping points gave way to extractive ones.
    assert said["framing"] not in key_points and said["housekeeping"] not in key_points
    assert not any(is_framing(p) or is_housekeeping(p) for p in key_points)
    assert len(key_points) == 3
