"""Summaries as Markdown that reads well as an email to participants.

Each bullet ends with its citation: `— Speaker, [mm:ss](LINK)`, where LINK comes from
the citation's signed `url` when the API attached one, else `summaries.link_template` (default
the transcript view, `/sessions/{session_id}?turn={turn}#t={seconds}`; set it to your player,
e.g. `https://intranet.example/sessions/{session_id}#t={seconds}`, a W3C media fragment).
Notes have no times and cite `— Author, notes`.

Everything that comes from a session (quotes, names, titles, owners, deadlines) is escaped
(`safety.md_text`): no raw HTML and no Markdown link of a speaker's making reaches the output,
and a link is written only when it is http(s) or the transcript view's (`safety.safe_link`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import quote

from companion.auth.links import moment_url
from companion.core.contact import mailto_link
from companion.core.schemas import Evidence
from companion.features.summaries.models import (
    ActionItem,
    CorpusQuestion,
    PeerRef,
    SeriesDigest,
    Summary,
    SummaryPoint,
)
from companion.features.summaries.safety import TRANSCRIPT_LINK, md_text, safe_link

DEFAULT_LINK = "/sessions/{session_id}?turn={turn}#t={seconds}"


def mmss(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss from an hour)."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def nice_date(value: str | None) -> str:
    """An ISO date as "18 September 2025"; other text unchanged."""
    if not value:
        return ""
    try:
        d = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{d.day} {d:%B %Y}"


class MarkdownRenderer:
    """Renders summaries, digests and open-question lists.

    Args:
        link_template: where a timestamp links, with `{session_id}` and `{seconds}`.
        titles: session id -> title, to name sessions in cross-session citations.
    """

    def __init__(self, link_template: str = DEFAULT_LINK,
                 titles: dict[str, str] | None = None) -> None:
        self.link_template = link_template
        self.titles = titles or {}

    def link(self, session_id: str, seconds: float, turn: int = 0) -> str:
        """The URL of a moment in a session (the transcript view's if the template's is unsafe)."""
        try:
            url = safe_link(moment_url(self.link_template, session_id, seconds, turn))
        except (KeyError, IndexError, ValueError):
            url = None
        values = {"session_id": quote(session_id, safe=""), "seconds": int(seconds)}
        return url or TRANSCRIPT_LINK.format(**values)

    def title(self, session_id: str) -> str:
        """A session's title (escaped), or its id."""
        return md_text(self.titles.get(session_id, session_id))

    def cite(self, e: Evidence, with_session: bool = False) -> str:
        """`Speaker, [mm:ss](link)`, or `Speaker, notes` without a time."""
        signed = safe_link(e.url) if e.url else None
        link = signed or (self.link(e.session_id, e.start, e.turn_start)
                          if e.start is not None else None)
        where = f"[{mmss(e.start)}]({link})" if e.start is not None and link else "notes"
        if with_session:
            where = f"{self.title(e.session_id)}, {where}"
        return f"{md_text(e.speaker)}, {where}" if e.speaker else where

    def cites(self, citations: Sequence[Evidence], with_session: bool = False) -> str:
        """All citations of an item, joined."""
        return "; ".join(self.cite(c, with_session) for c in citations)

    def bullet(self, point: SummaryPoint, with_session: bool = False) -> str:
        """`- text — citation`."""
        return f"- {md_text(point.text)} — {self.cites(point.citations, with_session)}"

    def action(self, item: ActionItem, with_session: bool = False) -> str:
        """`- **Owner**: what (when) — citation`."""
        who = f"**{md_text(item.who)}**: " if item.who else ""
        when = f" (*{md_text(item.when)}*)" if item.when and \
            item.when.lower() not in item.what.lower() else ""
        return f"- {who}{md_text(item.what)}{when} — {self.cites(item.citations, with_session)}"

    def summary(self, s: Summary) -> str:
        """One session's summary."""
        lines = [f"# {md_text(s.title)}", ""]
        meta = [x for x in (
            f"**Date:** {md_text(nice_date(s.date))}" if s.date else "",
            f"**Facilitator:** {md_text(s.facilitator)}" if s.facilitator else "",
            f"**Series:** {md_text(s.series)}" if s.series else "",
        ) if x]
        if meta:
            lines += [" · ".join(meta), ""]
        if s.participants:
            lines += ["**Participants:** " + ", ".join(md_text(p.name) for p in s.participants),
                      ""]
        if not s.consent:
            lines += ["> **Not for sharing.** The participants did not consent to this session "
                      "being shared; this summary is for administrators only.", ""]
        if s.notice:
            lines += [f"> {md_text(s.notice)}", ""]
        if s.overview:
            lines += ["## Overview", ""]
            lines += [" ".join(f"{md_text(p.text)} ({self.cites(p.citations)})"
                               for p in s.overview), ""]
        lines += self._section("Key points", [self.bullet(p) for p in s.key_points])
        lines += self._section("Tips", [self.bullet(p) for p in s.tips])
        lines += self._section("Actions", [self.action(a) for a in s.action_items])
        lines += self._section("Open questions", [
            f"- {md_text(q.question)} — {self.cites(q.citations)}" for q in s.open_questions])
        lines += self._section("Participants", [
            f"- **{md_text(p.name)}** — {p.turns} turn{'s' if p.turns != 1 else ''}, "
            f"{round(100 * p.word_share)}% of words"
            + (f". “{md_text(p.point.text)}” — {self.cites(p.point.citations)}" if p.point
               else "")
            for p in s.participants])
        lines += ["---", "", self._footer(s.generator, s.generated_at)]
        return "\n".join(lines).rstrip() + "\n"

    def digest(self, d: SeriesDigest) -> str:
        """A series digest."""
        since = f" (since {nice_date(d.since)})" if d.since else ""
        lines = [f"# {md_text(d.series)}: series digest{md_text(since)}", ""]
        lines += self._section("Sessions", [
            f"- **{md_text(nice_date(x.date)) or 'undated'} — {md_text(x.title)}**"
            + (f": {md_text(x.overview.text)} — {self.cites(x.overview.citations)}"
               if x.overview else "")
            for x in d.sessions])
        lines += self._section("Key points", [
            self.bullet(p, with_session=True) for p in d.key_points])
        lines += self._section("Tips", [self.bullet(p, with_session=True) for p in d.tips])
        owners: dict[str, list[ActionItem]] = {}
        for a in d.action_items:
            owners.setdefault(a.who or "Unassigned", []).append(a)
        actions: list[str] = []
        for owner, items in owners.items():
            actions.append(f"- **{md_text(owner)}**")
            actions += ["  " + self.action(a.model_copy(update={"who": None}), with_session=True)
                        for a in items]
        lines += self._section("Actions", actions)
        lines += self._section("Open questions", [
            f"- {md_text(q.question)} — {self.cites(q.citations, with_session=True)}"
            + (" (answered in " + ", ".join(self.title(s) for s in q.answered_in) + ")"
               if q.answered_in else "")
            for q in d.open_questions])
        lines += ["---", "", self._footer("extractive", None)]
        return "\n".join(lines).rstrip() + "\n"

    def open_questions(self, questions: Sequence[CorpusQuestion]) -> str:
        """Open questions across the corpus: still open (with peers), then answered elsewhere."""
        still = [q for q in questions if q.still_open]
        answered = [q for q in questions if not q.still_open]
        lines = ["# Open questions across sessions", ""]
        body: list[str] = []
        for q in still:
            body.append(f"- {md_text(q.question.question)} — "
                        f"{self.cites(q.question.citations, with_session=True)}")
            if q.peers:
                body.append("  - Best placed to answer:")
                body += [f"    - {peer_line(p)}" for p in q.peers]
            else:
                body.append("  - Nobody to suggest yet.")
        lines += self._section("Still open", body)
        body = []
        for q in answered:
            best = q.answered_in[0]
            body.append(f"- {md_text(q.question.question)} — "
                        f"{self.cites(q.question.citations, with_session=True)}")
            body.append(f"  - Answered in *{md_text(best.session_title)}*: "
                        f"“{md_text(best.citation.quote)}” — {self.cite(best.citation)}")
        lines += self._section("Answered in another session", body)
        return "\n".join(lines).rstrip() + "\n"

    @staticmethod
    def _section(title: str, bullets: list[str]) -> list[str]:
        if not bullets:
            return []
        return [f"## {title}", "", *bullets, ""]

    @staticmethod
    def _footer(generator: str, generated_at: str | None) -> str:
        when = f" on {generated_at[:10]}" if generated_at else ""
        how = "quoted verbatim from the session" if generator == "extractive" \
            else f"written by {md_text(generator)} and checked against the quotes"
        return (f"*Every point is {how}; times link to that moment of the recording. "
                f"Generated by the learning companion{when}.*")


def peer_line(p: PeerRef) -> str:
    """A person to ask, as a learner reads it: name, role, why, and a `mailto:` link."""
    line = f"**{md_text(p.name)}**" + (f", {md_text(p.role)}" if p.role else "")
    if p.reason:
        line += f" — {md_text(p.reason)}"
    link = mailto_link(p.contact)
    if link:
        line += f" — [{md_text(link[len('mailto:'):])}](<{link}>)"
    elif p.contact:
        line += f" — {md_text(p.contact)}"
    return line
