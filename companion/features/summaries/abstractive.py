"""The abstractive summariser: the configured chat model writes, the verifier decides what stays.

The model gets `prompts/summary.md` with the session's numbered, escaped passages
(`passages.summary_messages`) and answers with JSON items, each citing passage numbers with
verbatim quotes. Every item is checked at once with the project's `GroundingVerifier` (quote
found in the cited turn, item supported by its quotes); an item that fails is replaced by the
extractive summary's next unused item of the same section, so a section never has fewer items
than the extractive one would have had. When the model cannot be reached or its reply is not
JSON, the extractive summary is returned with a notice saying so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from companion.core.errors import CompanionError
from companion.core.framing import is_framing
from companion.core.grounding import GroundingVerifier
from companion.core.housekeeping import is_housekeeping
from companion.core.schemas import Evidence, Session
from companion.features.summaries.models import ActionItem, OpenQuestion, Summary, SummaryPoint
from companion.features.summaries.passages import (
    Passage,
    citation_for,
    numbered_passages,
    summary_messages,
)
from companion.features.summaries.verify import SummaryChecker

Item = TypeVar("Item", SummaryPoint, ActionItem, OpenQuestion)
_JSON = re.compile(r"\{.*\}", re.S)


def parse_reply(text: str) -> dict[str, Any]:
    """The JSON object in a model reply (code fences and chatter around it ignored).

    Raises:
        ValueError: no JSON object in the reply.
    """
    match = _JSON.search(text)
    if match is None:
        raise ValueError("the reply holds no JSON object")
    data = json.loads(match.group(0))
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    return data


class AbstractiveSummariser:
    """Summaries written by a chat model, each item verified against the turns it cites.

    Args:
        invoke: sends chat messages and returns the reply text (`ChatClient.invoke_text`);
            None when no model could be made (then every summary is the extractive one).
        verifier: the grounding verifier (with the embedding model, for paraphrases).
        fallback: the extractive summariser, for unsupported items and failures.
        generator: how the footer names the writer, e.g. "openai:gpt-4o-mini".
        unavailable: why there is no model, shown as the summary's notice.
    """

    name = "llm"
    version = "1"

    def __init__(self, invoke: Callable[[list[Any]], str] | None, verifier: GroundingVerifier,
                 fallback: Any, generator: str, unavailable: str | None = None) -> None:
        self.invoke = invoke
        self.verifier = verifier
        self.fallback = fallback
        self.generator = generator
        self.unavailable = unavailable

    def summarise(self, session: Session) -> Summary:
        """The session's summary; any item the quotes do not support is the extractive one."""
        extractive = self.fallback.summarise(session)
        if self.invoke is None:
            return extractive.model_copy(update={"notice": self.unavailable})
        try:
            data = parse_reply(self.invoke(summary_messages(session)))
        except (CompanionError, ValueError) as exc:
            notice = f"the language model's summary could not be used ({exc}); " \
                     "this is the extractive summary"
            return extractive.model_copy(update={"notice": notice})
        passages = numbered_passages(session)
        checker = SummaryChecker(self.verifier)

        def cites(raw: Any) -> list[Evidence]:
            return _citations(session.id, passages, raw)

        def point(raw: dict[str, Any]) -> SummaryPoint:
            return SummaryPoint(text=str(raw.get("text", "")), citations=cites(raw))

        def action(raw: dict[str, Any]) -> ActionItem:
            return ActionItem(who=_opt(raw.get("who")), what=str(raw.get("text", "")),
                              when=_opt(raw.get("when")), citations=cites(raw))

        def question(raw: dict[str, Any]) -> OpenQuestion:
            found = cites(raw)
            return OpenQuestion(question=str(raw.get("text", "")),
                                asked_by=found[0].speaker if found else None,
                                reason="the model found no answer in the session",
                                citations=found)

        sections: dict[str, list[Any]] = {}
        for key, make in (("overview", point), ("key_points", point), ("tips", point),
                          ("action_items", action), ("open_questions", question)):
            written = [make(raw) for raw in _items(data, key)]
            if not written and key == "overview":
                sections[key] = extractive.overview  # a summary always says what it covered
                continue
            # A key point says what was said, never how the session ran (as extractive ones).
            framing = key == "key_points" and getattr(
                getattr(self.fallback, "cfg", None), "framing_filter", True)
            sections[key] = _verified(written, getattr(extractive, key), checker, framing)
        return extractive.model_copy(update={
            **sections,
            "generator": self.generator,
            "participants": self._participants(extractive, _items(data, "participants"),
                                               cites, checker),
        })

    @staticmethod
    def _participants(extractive: Summary, items: list[dict[str, Any]],
                      cites: Callable[[Any], list[Evidence]], checker: SummaryChecker) -> list[Any]:
        """Extractive counts; a speaker's point is the model's when its quotes support it."""
        written = {str(raw.get("speaker", "")): raw for raw in items}
        out = []
        for person in extractive.participants:
            raw = written.get(person.name)
            if raw is not None:
                candidate = SummaryPoint(text=str(raw.get("text", "")), citations=cites(raw))
                if candidate.text and checker.why_not(candidate.text, candidate.citations) is None:
                    person = person.model_copy(update={"point": candidate})
            out.append(person)
        return out


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "", "null") else None


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _citations(session_id: str, passages: list[Passage], raw: Any) -> list[Evidence]:
    out = []
    for cite in raw.get("citations") or [] if isinstance(raw, dict) else []:
        if not isinstance(cite, dict):
            continue
        try:
            number = int(cite.get("passage", -1))
        except (TypeError, ValueError):
            number = -1
        quote = str(cite.get("quote", "")).strip()
        if quote:
            out.append(citation_for(session_id, passages, number, quote))
    return out


def _text(item: Any) -> str:
    return str(getattr(item, "text", None) or getattr(item, "what", None)
               or getattr(item, "question", ""))


def _about_session(item: Item) -> bool:
    """True when the item, or every quote it cites, runs the session or frames it.

    Housekeeping (introductions, greetings, logistics, small talk) or framing (`framing.py`).
    """
    def off(text: str) -> bool:
        return is_housekeeping(text) or is_framing(text)

    quotes = [c.quote for c in item.citations]
    return off(_text(item)) or (bool(quotes) and all(off(q) for q in quotes))


def _verified(written: list[Item], extractive: list[Item], checker: SummaryChecker,
              framing: bool = False) -> list[Item]:
    """The model's items its quotes support; each one that fails gives way to an extractive one.

    With `framing`, an item that runs or frames the session (`_about_session`) fails too.
    """
    spare = list(extractive)
    out: list[Item] = []
    for item in written:
        framed = framing and _about_session(item)
        if _text(item) and not framed and checker.why_not(_text(item), item.citations) is None:
            out.append(item)
            continue
        checker.record("about the session itself" if framed else "replaced by the extractive item")
        while spare:
            substitute = spare.pop(0)
            if all(_text(substitute) != _text(o) for o in out):
                out.append(substitute)
                break
    return out
