"""The transcript view: a session's turns, each anchored, the cited ones highlighted.

`#turn=N` lands on a turn natively (it is the turn's id); `#t=SECONDS` and `?t=SECONDS` land on
the turn spoken at that moment (a few lines of inline script, no external asset); `?turn=3-5`
highlights the cited turns and scrolls to the first.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, Field

from companion.core.errors import InputError
from companion.core.schemas import Session
from companion.core.text import clock

TEMPLATE = Path(__file__).resolve().parent / "templates" / "transcript.html"
e = html.escape


class TranscriptTurn(BaseModel):
    """One turn of a transcript view."""

    index: int
    speaker: str | None
    text: str
    start: float | None
    end: float | None
    section: str | None = None
    anchor: str = Field(description="the fragment that lands on this turn, e.g. #t=56")
    cited: bool = False


class Transcript(BaseModel):
    """`GET /v1/sessions/{id}/transcript`: a session's turns with anchors."""

    session_id: str
    title: str
    date: str | None
    kind: str | None
    speakers: list[str]
    cited: tuple[int, int] | None = Field(default=None, description="the highlighted turn range")
    turns: list[TranscriptTurn]


def parse_turns(value: str | None) -> tuple[int, int] | None:
    """`3` or `3-5` as an inclusive range; None when absent."""
    if not value:
        return None
    first, _, last = value.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise InputError(f"turn must be N or N-M, e.g. 3-5, not {value!r}")
    a, b = int(first), int(last or first)
    return (min(a, b), max(a, b))


def turn_at(session: Session, seconds: float) -> int | None:
    """The turn being spoken at `seconds` (the last one started by then)."""
    found = None
    for turn in session.turns:
        if turn.start is not None and turn.start <= seconds + 0.5:
            found = turn.index
    return found


def build_transcript(session: Session, cited: tuple[int, int] | None) -> Transcript:
    """The JSON view of a session."""
    turns = [
        TranscriptTurn(
            index=t.index, speaker=t.speaker, text=t.text, start=t.start, end=t.end,
            section=t.section,
            anchor=f"#t={int(t.start)}" if t.start is not None else f"#turn={t.index}",
            cited=cited is not None and cited[0] <= t.index <= cited[1],
        )
        for t in session.turns
    ]
    return Transcript(session_id=session.id, title=session.title, date=session.date,
                      kind=session.kind, speakers=session.speakers, cited=cited, turns=turns)


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def render_transcript(view: Transcript, link_note: str = "") -> str:
    """The HTML page of a transcript view."""
    rows = []
    section = None
    seen: set[int] = set()
    for t in view.turns:
        if t.section and t.section != section:
            section = t.section
            rows.append(f"<h2 class=\"section\">{e(section)}</h2>")
        when = ""
        if t.start is not None:
            sec = int(t.start)
            ident = "" if sec in seen else f' id="t={sec}"'
            seen.add(sec)
            when = f'<a class="time"{ident} href="#t={sec}">{e(clock(t.start))}</a>'

        cls = "turn cited" if t.cited else "turn"
        start = "" if t.start is None else f' data-start="{t.start:g}"'
        rows.append(
            f'<article class="{cls}" id="turn={t.index}"{start}>'
            f'<header>{when}<a class="num" href="#turn={t.index}">#{t.index}</a> '
            f'<strong>{e(t.speaker or "Notes")}</strong></header>'
            f"<p>{e(t.text)}</p></article>"
        )
    meta = " · ".join(e(x) for x in (view.date, view.kind) if x)
    speakers = e(", ".join(view.speakers)) or "—"
    body = (f"<h1>{e(view.title)}</h1><p class=\"meta\">{meta}</p>"
            f"<p class=\"meta\">Speakers: {speakers}</p>{link_note}"
            f"<div class=\"transcript\">{''.join(rows)}</div>")
    return _template().substitute(title=e(view.title), body=body)


def message_page(status: int, title: str, detail: str) -> str:
    """A plain page for a refused or missing transcript (browsers get HTML, not JSON)."""
    body = f"<h1>{e(title)}</h1><p>{e(detail)}</p><p class=\"meta\">HTTP {status}</p>"
    return _template().substitute(title=e(title), body=body)
