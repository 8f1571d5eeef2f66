"""LLM reasons for peer suggestions, kept only when the person's own quotes support them.

`prompts/peer_reason.md` gets the person, the topic and the quotes shown with the suggestion
(numbered, escaped `<quote>` elements). Every sentence of the reply must be supported by the
quotes it cites (or, uncited, by the person's quotes together) as the `GroundingVerifier`
decides for LLM answers; otherwise, and whenever the provider fails, the rule-based reason is
shown and the fallback counted.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.messages import BaseMessage

from companion.core.errors import ProviderError
from companion.core.grounding import GroundingVerifier
from companion.core.schemas import Evidence
from companion.core.terms import content_terms
from companion.llm.client import ChatClient
from companion.llm.prompts import PromptTemplate, data_element, load_prompt
from companion.llm.streaming import parse_cited_sentences
from companion.storage.catalog import Catalog

if TYPE_CHECKING:
    from companion.retrieval.context import Context

log = logging.getLogger("companion.features.peers")

MAX_WORDS = 40


@dataclass
class ReasonStats:
    """How many reasons the model wrote that were kept, and why the others fell back."""

    kept: int = 0
    fallbacks: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def fall_back(self, why: str) -> None:
        """Count one fallback to the rule-based reason."""
        self.fallbacks += 1
        self.reasons[why.split(" (")[0]] += 1


class LLMReasoner:
    """Words a suggestion's reason with a chat model; falls back to the rule-based one.

    Args:
        catalog: session titles and dates for the quotes.
        client: the chat model behind retries.
        verifier: a `GroundingVerifier` with the LLM thresholds (and embeddings).
        template: the prompt (default `prompts/peer_reason.md`).
    """

    def __init__(
        self,
        catalog: Catalog,
        client: ChatClient,
        verifier: GroundingVerifier,
        template: PromptTemplate | None = None,
    ) -> None:
        self.catalog = catalog
        self.client = client
        self.verifier = verifier
        self.template = template or load_prompt("peer_reason")
        self.stats = ReasonStats()

    def messages(self, person: str, topic: str, quotes: Sequence[Evidence]) -> list[BaseMessage]:
        """The prompt: fixed system rules; person, topic and quotes as user data."""
        elements = []
        for n, q in enumerate(quotes, 1):
            row = self.catalog.session_row(q.session_id)
            title = row["title"] if row is not None else q.session_id
            date = row["date"] if row is not None else None
            elements.append(data_element("quote", n, q.quote, session=title, date=date))
        return self.template.messages(
            person=_escape(person), topic=_escape(topic), quotes="\n".join(elements)
        )

    def reason(
        self, person: str, topic: str, quotes: Sequence[Evidence], fallback: str
    ) -> str:
        """The model's reason when every sentence of it is supported, else `fallback`."""
        if not quotes:
            self.stats.fall_back("no quotes to check a reason against")
            return fallback
        try:
            reply = self.client.invoke_text(self.messages(person, topic, quotes))
        except ProviderError as exc:
            log.warning("peer reason for %s: rule-based, the model failed: %s", person, exc.detail)
            self.stats.fall_back("the model failed")
            return fallback
        text, why = self.check(reply, person, topic, [q.quote for q in quotes])
        if text is None:
            log.info("peer reason for %s: rule-based, the model's was dropped: %s", person, why)
            self.stats.fall_back(why)
            return fallback
        self.stats.kept += 1
        return text

    def check(
        self, reply: str, person: str, topic: str, quotes: Sequence[str]
    ) -> tuple[str | None, str]:
        """The reason to show from a reply (markers removed), or None and why not."""
        sentences = [s for s in parse_cited_sentences(reply) if content_terms(s.text)]
        if not sentences:
            return None, "says nothing that can be checked"
        if sum(len(s.text.split()) for s in sentences) > MAX_WORDS:
            return None, "too long for a reason"
        for s in sentences:
            missing = [n for n in s.passages if not 1 <= n <= len(quotes)]
            if missing:
                return None, f"cites [{missing[0]}], which does not exist"
            cited = [quotes[n - 1] for n in s.passages] or list(quotes)
            # The person's name is given, not claimed: only what is said about them is checked.
            claim = _without_name(s.text, person)
            ok, why = self.verifier.supports(claim, cited)
            echo = self._echo(claim, topic, cited) if ok and why != "verbatim" else None
            if not ok or echo:
                return None, echo or why
        return " ".join(s.text for s in sentences), "supported"

    def _echo(self, claim: str, topic: str, quotes: Sequence[str]) -> str | None:
        """Why a sentence only restates the topic, or None: what it adds must be quoted.

        Words of the topic match the person's quotes by construction (they were chosen for
        it), so "X is a good person to ask about <topic>" could otherwise pass.
        """
        added = set(content_terms(claim)) - set(content_terms(topic))
        if not added:
            return "only restates the topic"
        share = len(added & set(content_terms(" ".join(quotes)))) / len(added)
        if share >= self.verifier.min_term_recall:
            return None
        return f"restates the topic; what it adds is not in the quotes (overlap {share:.2f})"


def _escape(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def _without_name(sentence: str, person: str) -> str:
    for part in sorted({person, *person.split()}, key=len, reverse=True):
        if len(part) > 1:
            sentence = re.sub(rf"\b{re.escape(part)}(?:'s)?\b", " ", sentence)
    return " ".join(sentence.split())


def make_llm_reasoner(ctx: Context) -> LLMReasoner | None:
    """The reasoner when `peers.llm_reasons` is on and a chat model is configured, else None.

    A provider that cannot be built (its extra missing, no model name) is logged and the
    rule-based reasons are used.
    """
    from companion.core.errors import ConfigurationError
    from companion.llm.registry import EXTRACTIVE, make_chat_model

    cfg = ctx.settings.llm
    if not ctx.settings.peers.llm_reasons or cfg.provider == EXTRACTIVE:
        return None
    try:
        model = make_chat_model(ctx.settings)
    except ConfigurationError as exc:
        log.warning("peer reasons stay rule-based: %s", exc.detail)
        return None
    verifier = GroundingVerifier(
        ctx.catalog, embeddings=ctx.embeddings,
        min_term_recall=cfg.min_term_recall, min_similarity=cfg.min_similarity,
    )
    return LLMReasoner(ctx.catalog, ChatClient(model, cfg), verifier)
