"""LLM wording of tips: one sentence a model writes from a tip's quotes, kept only when verified.

`prompts/tip_rewrite.md` gets the tip's quotes as numbered, escaped `<quote>` elements; the
model replies with one imperative sentence ending in the numbers of the quotes it comes from,
or NO TIP. The sentence is kept when the `GroundingVerifier` finds the cited quotes support it
(the check LLM answers use, with the same thresholds); otherwise the tip keeps its verbatim
quote. Verdicts are cached (`wording_cache`), so `companion tips reword` asks the model only
about tips whose quotes changed.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from langchain_core.messages import BaseMessage

from companion.core.errors import ConfigurationError, ProviderError
from companion.core.grounding import GroundingVerifier
from companion.core.settings import TipsSettings
from companion.core.terms import content_terms
from companion.features.tips.store import StoredQuote, TipStore
from companion.features.tips.wording_cache import WordingCache, current_quote_hashes, quote_set_hash
from companion.llm.client import ChatClient
from companion.llm.prompts import PromptTemplate, data_element, load_prompt
from companion.llm.streaming import parse_cited_sentences

if TYPE_CHECKING:
    from companion.retrieval.context import Context

log = logging.getLogger("companion.features.tips")

MAX_WORDS = 30
_NO_TIP = re.compile(r"^\W*no\s+tip\b", re.I)

Status = Literal["kept", "dropped", "unchanged", "failed", "skipped"]


@dataclass
class WordingOutcome:
    """What happened to one tip: its kept wording (or None) and why."""

    tip_id: str
    status: Status
    text: str | None
    reason: str


@dataclass
class RewordReport:
    """Every tip asked about, with counts by status and the reasons wordings were dropped."""

    outcomes: list[WordingOutcome] = field(default_factory=list)
    pruned: int = 0

    def count(self, status: Status) -> int:
        """How many tips ended with this status."""
        return sum(o.status == status for o in self.outcomes)

    def drop_reasons(self) -> Counter[str]:
        """Why wordings were dropped (reason without its figures) -> how many."""
        return Counter(o.reason.split(" (")[0] for o in self.outcomes if o.status == "dropped")


def prompt_quotes(quotes: Sequence[StoredQuote], limit: int) -> list[StoredQuote]:
    """The quotes shown to the model: distinct wordings, most typical of the tip first."""
    distinct = list({q.quote_hash: q for q in quotes}.values())
    matrix = np.stack([q.vector for q in distinct])
    centroid = matrix.mean(axis=0)
    sims = matrix @ (centroid / (np.linalg.norm(centroid) or 1.0))
    order = sorted(range(len(distinct)), key=lambda i: -float(sims[i]))
    return [distinct[i] for i in order[: max(1, limit)]]


def render_quotes(quotes: Sequence[StoredQuote]) -> str:
    """Quotes as numbered, delimited, escaped `<quote>` elements."""
    return "\n".join(
        data_element("quote", n, q.quote, speaker=q.speaker, session=q.session_title)
        for n, q in enumerate(quotes, 1)
    )


class TipWorder:
    """Asks a chat model to word tips and keeps only wordings their cited quotes support.

    Args:
        cache: where verdicts are cached.
        client: the chat model behind retries.
        verifier: a `GroundingVerifier` (with embeddings, as for LLM answers).
        model: the name verdicts are cached under (`wording_cache.model_key`).
        settings: tips settings (shortest tip, quotes per prompt).
        template: the prompt (default `prompts/tip_rewrite.md`).
    """

    def __init__(
        self,
        cache: WordingCache,
        client: ChatClient,
        verifier: GroundingVerifier,
        model: str,
        settings: TipsSettings,
        template: PromptTemplate | None = None,
    ) -> None:
        self.cache = cache
        self.client = client
        self.verifier = verifier
        self.model = model
        self.settings = settings
        self.template = template or load_prompt("tip_rewrite")

    def messages(self, quotes: Sequence[StoredQuote], topic: str = "") -> list[BaseMessage]:
        """The prompt: fixed system rules; the topic and the quotes as user data."""
        return self.template.messages(
            topic=html.escape(" ".join(topic.split()), quote=False), quotes=render_quotes(quotes)
        )

    def check(self, reply: str, quotes: Sequence[StoredQuote]) -> tuple[str | None, str]:
        """The wording to keep from a reply (or None), and why."""
        if _NO_TIP.match(reply):
            return None, "the model found no tip in the quotes"
        sentences = [s for s in parse_cited_sentences(reply) if content_terms(s.text)]
        if not sentences:
            return None, "says nothing that can be checked"
        # One sentence was asked for; anything after the first is not shown, so not checked.
        sentence = sentences[0]
        words = len(sentence.text.split())
        if words < self.settings.min_words:
            return None, f"too short to be a tip ({words} words)"
        if words > MAX_WORDS:
            return None, f"too long for a tip ({words} words)"
        if not sentence.passages:
            return None, "no citation"
        missing = [n for n in sentence.passages if not 1 <= n <= len(quotes)]
        if missing:
            return None, f"cites [{missing[0]}], which does not exist"
        cited = [quotes[n - 1].quote for n in sentence.passages]
        ok, reason = self.verifier.supports(sentence.text, cited)
        if not ok:
            return None, reason
        return _as_tip(sentence.text), reason

    def word(
        self, tip_id: str, quotes: Sequence[StoredQuote], topic: str = "", force: bool = False
    ) -> WordingOutcome:
        """Word one tip from its (shown) quotes, unless this quote set already has a verdict.

        A provider failure is reported (status `failed`) and not cached, so a later run asks
        again.
        """
        key = quote_set_hash(quotes)
        cached = None if force else self.cache.get(tip_id, key, self.model)
        if cached is not None:
            return WordingOutcome(tip_id, "unchanged", cached.text, cached.reason)
        shown = prompt_quotes(quotes, self.settings.llm_wording_quotes)
        try:
            reply = self.client.invoke_text(self.messages(shown, topic))
        except ProviderError as exc:
            log.warning("tip %s: no model wording: %s", tip_id, exc.detail)
            return WordingOutcome(tip_id, "failed", None, exc.detail)
        text, reason = self.check(reply, shown)
        self.cache.put(tip_id, key, self.model, text, reason)
        return WordingOutcome(tip_id, "kept" if text else "dropped", text, reason)


def _as_tip(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."


def make_tip_worder(ctx: Context) -> TipWorder:
    """The worder for the configured LLM provider, verifying as LLM answers do.

    Raises:
        ConfigurationError: the provider is `extractive` (or unknown, or its extra missing).
    """
    from companion.features.tips.wording_cache import model_key
    from companion.llm.registry import EXTRACTIVE, PROVIDERS, make_chat_model

    cfg = ctx.settings.llm
    if cfg.provider == EXTRACTIVE:
        raise ConfigurationError(
            "wording tips needs an LLM: set COMPANION_LLM__PROVIDER to one of: "
            + ", ".join(PROVIDERS)
            + " (it is 'extractive')"
        )
    verifier = GroundingVerifier(
        ctx.catalog, embeddings=ctx.embeddings,
        min_term_recall=cfg.min_term_recall, min_similarity=cfg.min_similarity,
    )
    return TipWorder(
        WordingCache(ctx.catalog), ChatClient(make_chat_model(ctx.settings), cfg), verifier,
        model_key(cfg), ctx.settings.tips,
    )


def reword_tips(
    ctx: Context, tip_ids: Iterable[str], worder: TipWorder | None = None, force: bool = False
) -> RewordReport:
    """Word the given tips (those with a reviewer's wording are skipped); prune stale verdicts.

    Raises:
        ConfigurationError: no usable LLM provider (see `make_tip_worder`).
    """
    from companion.features.tips.views import tip_topics

    worder = worder or make_tip_worder(ctx)
    store = TipStore(ctx.catalog)
    rows = store.tips()
    wanted = list(dict.fromkeys(tip_ids))
    by_tip: dict[str, list[StoredQuote]] = {}
    for q in store.quotes(wanted):
        if q.consent:  # quotes nobody may see are never sent to a model either
            by_tip.setdefault(q.tip_id, []).append(q)
    report = RewordReport()
    for tip_id in wanted:
        row, quotes = rows.get(tip_id), by_tip.get(tip_id)
        if row is None or not quotes or row.merged_into:
            continue
        if row.edited_text:
            report.outcomes.append(
                WordingOutcome(tip_id, "skipped", None, "a reviewer's wording is shown")
            )
            continue
        topic = ", ".join(tip_topics(quotes, ctx.settings.tips)[:2])
        report.outcomes.append(worder.word(tip_id, quotes, topic, force=force))
    report.pruned = worder.cache.prune(current_quote_hashes(store.quotes()))
    return report


def reword_top_tips(
    ctx: Context, limit: int = 10, worder: TipWorder | None = None, force: bool = False
) -> RewordReport:
    """Word the `limit` top-ranked tips (retired ones are left out)."""
    from companion.features.tips.views import TipViews

    tips = TipViews(ctx).list_tips(limit=limit)
    return reword_tips(ctx, [t.id for t in tips], worder, force)
