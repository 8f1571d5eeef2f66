"""Numbered passages for the abstractive prompt, and citations back from passage numbers.

`prompts/summary.md` shows the model the session as numbered, escaped passages (one turn each);
the model cites `{"passage": N, "quote": "..."}`. `citation_for` turns that back into an
`Evidence` of the turn, which the `GroundingVerifier` then checks like any other citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.core.schemas import Evidence, Session, Turn

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage


@dataclass(frozen=True)
class Passage:
    """One numbered turn as the model sees it."""

    number: int
    turn: Turn

    def render(self) -> str:
        """`<passage id="3" speaker="..." time="1:02">text</passage>`, escaped."""
        from companion.llm.prompts import data_element

        time = None
        if self.turn.start is not None:
            s = int(self.turn.start)
            time = f"{s // 60}:{s % 60:02d}"
        return data_element("passage", self.number, self.turn.text,
                            speaker=self.turn.speaker or "notes", time=time)


def numbered_passages(session: Session) -> list[Passage]:
    """The session's non-empty turns, numbered from 1."""
    turns = [t for t in session.turns if t.text.strip()]
    return [Passage(i, t) for i, t in enumerate(turns, 1)]


def citation_for(session_id: str, passages: list[Passage], number: int, quote: str) -> Evidence:
    """The citation of a quote the model attributes to passage `number` (checked later)."""
    if not 1 <= number <= len(passages):
        # Still a citation: it fails verification, so its item is dropped and counted.
        return Evidence(session_id=session_id, speaker=None, start=None, end=None,
                        turn_start=-1, turn_end=-1, quote=quote)
    turn = passages[number - 1].turn
    return Evidence(session_id=session_id, speaker=turn.speaker, start=turn.start, end=turn.end,
                    turn_start=turn.index, turn_end=turn.index, quote=quote)


def summary_messages(session: Session) -> list[BaseMessage]:
    """The chat messages of the abstractive summary prompt for one session."""
    from companion.llm.prompts import load_prompt

    return load_prompt("summary").messages(
        title=session.title, date=session.date or "unknown",
        facilitator=session.facilitator or "unknown",
        passages="\n".join(p.render() for p in numbered_passages(session)),
    )
