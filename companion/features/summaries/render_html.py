"""Summaries as a self-contained HTML email: the Markdown email's content, escaped, no scripts.

Every value from a session is entity-escaped (`safety.html_text`); links are written only
when `safety.safe_link` accepts them (http(s) or the transcript view), so `<script>`,
`<img onerror=...>` or `javascript:` in a turn shows as text and never runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from companion.core.contact import mailto_link
from companion.core.schemas import Evidence
from companion.features.summaries.models import (
    ActionItem,
    CorpusQuestion,
    PeerRef,
    SeriesDigest,
    Summary,
)
from companion.features.summaries.render import MarkdownRenderer, mmss, nice_date
from companion.features.summaries.safety import html_text as esc
from companion.features.summaries.safety import safe_link

_STYLE = ("body{font-family:Arial,Helvetica,sans-serif;max-width:46em;margin:1em auto;"
          "line-height:1.45;color:#222}cite{font-style:normal;color:#555}h1{font-size:1.5em}")


class HtmlRenderer:
    """Renders summaries, digests and open-question lists as HTML documents.

    Args:
        link_template: where a timestamp links, with `{session_id}` and `{seconds}`.
        titles: session id -> title, to name sessions in cross-session citations.
    """

    def __init__(self, link_template: str = MarkdownRenderer().link_template,
                 titles: dict[str, str] | None = None) -> None:
        self.links = MarkdownRenderer(link_template, titles)
        self.titles = titles or {}

    def cite(self, e: Evidence, with_session: bool = False) -> str:
        """`Speaker, <a href=...>mm:ss</a>`, or `Speaker, notes` without a time."""
        where = "notes"
        if e.start is not None:
            signed = safe_link(e.url) if e.url else None
            url = signed or self.links.link(e.session_id, e.start, e.turn_start)
            where = f'<a href="{esc(url)}">{mmss(e.start)}</a>'
        if with_session:
            where = f"{esc(self.titles.get(e.session_id, e.session_id))}, {where}"
        return f"{esc(e.speaker)}, {where}" if e.speaker else where

    def cites(self, citations: Sequence[Evidence], with_session: bool = False) -> str:
        """All citations of an item, joined, in a `<cite>`."""
        return "<cite>— " + "; ".join(self.cite(c, with_session) for c in citations) + "</cite>"

    def action(self, item: ActionItem, with_session: bool = False) -> str:
        """`<li><b>Owner</b>: what (when) — citation</li>`."""
        who = f"<b>{esc(item.who)}</b>: " if item.who else ""
        when = f" (<i>{esc(item.when)}</i>)" if item.when and \
            item.when.lower() not in item.what.lower() else ""
        return f"<li>{who}{esc(item.what)}{when} {self.cites(item.citations, with_session)}</li>"

    def summary(self, s: Summary) -> str:
        """One session's summary as an HTML document."""
        body = [f"<h1>{esc(s.title)}</h1>"]
        meta = [x for x in (
            f"<b>Date:</b> {esc(nice_date(s.date))}" if s.date else "",
            f"<b>Facilitator:</b> {esc(s.facilitator)}" if s.facilitator else "",
            f"<b>Series:</b> {esc(s.series)}" if s.series else "",
        ) if x]
        if meta:
            body.append("<p>" + " · ".join(meta) + "</p>")
        if not s.consent:
            body.append("<p><b>Not for sharing.</b> The participants did not consent to this "
                        "session being shared; this summary is for administrators only.</p>")
        if s.notice:
            body.append(f"<p><i>{esc(s.notice)}</i></p>")
        if s.overview:
            body.append("<h2>Overview</h2><p>" + " ".join(
                f"{esc(p.text)} {self.cites(p.citations)}" for p in s.overview) + "</p>")
        body += self._section("Key points", [
            f"<li>{esc(p.text)} {self.cites(p.citations)}</li>" for p in s.key_points])
        body += self._section("Tips", [
            f"<li>{esc(p.text)} {self.cites(p.citations)}</li>" for p in s.tips])
        body += self._section("Actions", [self.action(a) for a in s.action_items])
        body += self._section("Open questions", [
            f"<li>{esc(q.question)} {self.cites(q.citations)}</li>" for q in s.open_questions])
        body += self._section("Participants", [
            f"<li><b>{esc(p.name)}</b> — {p.turns} turn{'s' if p.turns != 1 else ''}, "
            f"{round(100 * p.word_share)}% of words"
            + (f". “{esc(p.point.text)}” {self.cites(p.point.citations)}" if p.point else "")
            + "</li>" for p in s.participants])
        return self._document(s.title, body, s.generator, s.generated_at)

    def digest(self, d: SeriesDigest) -> str:
        """A series digest as an HTML document."""
        since = f" (since {nice_date(d.since)})" if d.since else ""
        body = [f"<h1>{esc(d.series)}: series digest{esc(since)}</h1>"]
        body += self._section("Sessions", [
            f"<li><b>{esc(nice_date(x.date) or 'undated')} — {esc(x.title)}</b>"
            + (f": {esc(x.overview.text)} {self.cites(x.overview.citations)}"
               if x.overview else "") + "</li>" for x in d.sessions])
        body += self._section("Key points", [
            f"<li>{esc(p.text)} {self.cites(p.citations, True)}</li>" for p in d.key_points])
        body += self._section("Tips", [
            f"<li>{esc(p.text)} {self.cites(p.citations, True)}</li>" for p in d.tips])
        body += self._section("Actions", [self.action(a, True) for a in d.action_items])
        body += self._section("Open questions", [
            f"<li>{esc(q.question)} {self.cites(q.citations, True)}</li>"
            for q in d.open_questions])
        return self._document(f"{d.series}: series digest", body, "extractive", None)

    def open_questions(self, questions: Sequence[CorpusQuestion]) -> str:
        """Open questions across the corpus as an HTML document."""
        items = []
        for q in questions:
            line = f"<li>{esc(q.question.question)} {self.cites(q.question.citations, True)}"
            if not q.still_open and q.answered_in:
                best = q.answered_in[0]
                line += (f"<br>Answered in <i>{esc(best.session_title)}</i>: "
                         f"“{esc(best.citation.quote)}” {self.cites([best.citation])}")
            elif q.peers:
                line += "<br>Best placed to answer:<ul>" + "".join(
                    f"<li>{peer_html(p)}</li>" for p in q.peers) + "</ul>"
            items.append(line + "</li>")
        return self._document("Open questions across sessions",
                              ["<h1>Open questions across sessions</h1>",
                               *self._section("Questions", items)], "extractive", None)

    @staticmethod
    def _section(title: str, items: list[str]) -> list[str]:
        return [f"<h2>{title}</h2>", "<ul>", *items, "</ul>"] if items else []

    @staticmethod
    def _document(title: str, body: list[str], generator: str, generated_at: str | None) -> str:
        when = f" on {esc(generated_at[:10])}" if generated_at else ""
        how = "quoted verbatim from the session" if generator == "extractive" \
            else f"written by {esc(generator)} and checked against the quotes"
        footer = (f"<hr><p><i>Every point is {how}; times link to that moment of the recording. "
                  f"Generated by the learning companion{when}.</i></p>")
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>\n"
                + "\n".join(body) + f"\n{footer}\n</body></html>\n")


def peer_html(p: PeerRef) -> str:
    """A person to ask: name, role, why, and a `mailto:` link (HTML)."""
    line = f"<b>{esc(p.name)}</b>" + (f", {esc(p.role)}" if p.role else "")
    if p.reason:
        line += f" — {esc(p.reason)}"
    link = mailto_link(p.contact)
    if link:
        line += f' — <a href="{esc(link)}">{esc(link[len("mailto:"):])}</a>'
    elif p.contact:
        line += f" — {esc(p.contact)}"
    return line
