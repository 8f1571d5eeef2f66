"""Server-rendered pages of the facilitator console (every value escaped, no external asset)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import quote

from companion.faces.api import charts
from companion.features.feedback.store import FeedbackRecord
from companion.features.insights.models import Insights
from companion.features.tips.models import Tip

TEMPLATE = Path(__file__).resolve().parent / "templates" / "console.html"
SECTIONS = (("/console", "Impact"), ("/console/tips", "Tip moderation"),
            ("/console/feedback", "Feedback"), ("/console/questions", "Unanswered questions"))
e = html.escape


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def page(title: str, body: str, current: str = "", csrf: str = "", notice: str = "") -> str:
    """A console page; navigation and sign-out only when signed in (`csrf` given)."""
    nav = ""
    if csrf:
        here = ' aria-current="page"'
        links = "".join(
            f'<a href="{href}"{here if href == current else ""}>{e(name)}</a>'
            for href, name in SECTIONS
        )
        nav = (f'<nav aria-label="Console">{links}<form method="post" action="/console/sign-out">'
               f'{hidden(csrf)}<button type="submit" class="link">Sign out</button></form></nav>')
    flash = f'<p class="flash" role="status">{e(notice)}</p>' if notice else ""
    return _template().substitute(title=e(title), nav=nav, body=flash + body)


def hidden(csrf: str) -> str:
    """The CSRF field every form carries."""
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def sign_in(csrf: str, error: str = "") -> str:
    """The sign-in form: an admin key, exchanged for a console cookie."""
    problem = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    body = (
        "<h1>Facilitator console</h1>"
        "<p>Sign in with an admin key (<code>companion keys create --scope admin</code>).</p>"
        f'{problem}<form method="post" action="/console/sign-in" class="signin">{hidden(csrf)}'
        '<label for="key">Admin key</label>'
        '<input id="key" name="key" type="password" autocomplete="off" required>'
        '<button type="submit">Sign in</button></form>'
    )
    return page("Sign in", body)


def overview(report: Insights, feedback: dict[str, int], csrf: str, loop: str = "") -> str:
    """Impact: questions per week, answered share, topics, tips viewed, peers, feedback."""
    weeks = report.weekly
    usage = report.usage
    body = [
        "<h1>Impact</h1>",
        f'<p class="meta">{report.total} questions logged, {report.answered} answered.</p>',
        '<div class="charts">',
        charts.bar_chart("Questions per week (dark: answered)", [w.week[5:] for w in weeks],
                         [w.asked for w in weeks], [w.answered for w in weeks], "answered"),
        charts.share_meter("Answered share", report.answered_share),
        charts.hbar_chart("Top topics in questions", [t.topic for t in report.top_topics],
                          [t.count for t in report.top_topics]),
        charts.hbar_chart("Use", ["tips viewed", "peers suggested"],
                          [usage.get("tips_viewed", 0), usage.get("peers_suggested", 0)]),
        charts.hbar_chart("Feedback", list(feedback), list(feedback.values())),
        "</div>",
        loop,  # the learning loop's charts (console_loop.impact_charts)
    ]
    return page("Impact", "".join(body), "/console", csrf)


def _tip(tip: Tip, csrf: str) -> str:
    action = f"/console/tips/{quote(tip.id, safe='')}"
    quotes = "".join(
        f"<li>“{e(q.quote)}” <span class=\"meta\">{e(q.speaker or 'notes')} · "
        f"{_link(q.url, q.session_title or q.session_id)}</span></li>" for q in tip.quotes[:3]
    )
    s, o = tip.support, tip.outcomes
    tried = (f" · {o.tried} tried, {o.worked} worked, {o.partly} partly, {o.did_not} did not"
             if o.tried else "")
    if o.flagged:
        tried += ' <span class="badge">few found it useful</span>'
    return (
        f'<article class="tip" id="{e(tip.id)}"><h2><a href="/tips/{quote(tip.id, safe="")}">'
        f"{e(tip.text)}</a></h2><p class=\"meta\">{e(tip.id)} · "
        f"{_count(s.sessions, 'session')} · {_count(s.speakers, 'speaker')} · "
        f'<span class="badge">{e(tip.status)}</span>{tried}</p>'
        f"<ul class=\"quotes\">{quotes}</ul><div class=\"actions\">"
        f'<form method="post" action="{action}">{hidden(csrf)}'
        '<button name="action" value="approve" type="submit">Approve</button>'
        '<button name="action" value="retire" type="submit" class="danger">Retire</button></form>'
        f'<form method="post" action="{action}">{hidden(csrf)}'
        f'<input type="hidden" name="action" value="edit"><label>New wording '
        f'<input name="text" value="{e(tip.text)}" maxlength="400"></label>'
        '<button type="submit">Save wording</button></form>'
        f'<form method="post" action="{action}">{hidden(csrf)}'
        '<input type="hidden" name="action" value="merge"><label>Merge tip '
        '<input name="other_id" placeholder="tip-…" maxlength="100"></label>'
        '<button type="submit">Merge into this</button></form></div></article>'
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _link(url: str | None, label: str) -> str:
    return f'<a href="{e(url)}">{e(label)}</a>' if url else e(label)


def tips_queue(tips: Sequence[Tip], reviewed: int, csrf: str, notice: str = "") -> str:
    """Unreviewed tips, each with approve, retire, edit and merge forms."""
    items = "".join(_tip(t, csrf) for t in tips) or "<p>Nothing waiting for review.</p>"
    body = (f"<h1>Tip moderation</h1><p class=\"meta\">{len(tips)} waiting · {reviewed} "
            f"reviewed already.</p>{items}")
    return page("Tip moderation", body, "/console/tips", csrf, notice)


def feedback_inbox(items: Sequence[FeedbackRecord], csrf: str, notice: str = "") -> str:
    """Open feedback, newest first, with what was asked and answered, and a resolve button."""
    rows = []
    for f in items:
        cite = f.citation
        cited = ""
        if cite is not None and not isinstance(cite, str):
            cited = (f"<p>Source: “{e(cite.quote)}” — "
                     f"{_link(cite.url, cite.session_title)}</p>")
        elif isinstance(cite, str):
            cited = f"<p>Source: {e(cite)}</p>"
        answer = (f"<details><summary>The answer</summary><p>{e(f.answer)}</p></details>"
                  if f.answer else "")
        page_link = f'<p>Page: {_link(f.url, f.url)}</p>' if f.url else ""
        rows.append(
            f'<article class="feedback" id="feedback-{f.id}"><h2>{e(f.kind.replace("_", " "))}'
            f'</h2><p class="meta">{e(f.created_at)} · #{f.id}</p>'
            f"<p><strong>Question:</strong> {e(f.question or '—')}</p>{answer}{cited}{page_link}"
            + (f"<p><strong>Comment:</strong> {e(f.comment)}</p>" if f.comment else "")
            + f'<form method="post" action="/console/feedback/{f.id}/resolve">{hidden(csrf)}'
            '<button type="submit">Resolve</button></form></article>'
        )
    body = "<h1>Feedback inbox</h1>" + ("".join(rows) or "<p>No open feedback.</p>")
    return page("Feedback", body, "/console/feedback", csrf, notice)


def questions(report: Insights, csrf: str) -> str:
    """Questions the sessions did not answer, most asked first."""
    rows = "".join(
        f"<tr><td>{e(u.question)}</td><td class=\"num\">{u.count}</td>"
        f"<td>{e(u.last_asked[:16].replace('T', ' '))}</td></tr>" for u in report.unanswered
    )
    table = (f'<table><thead><tr><th scope="col">Question</th><th scope="col">Asked</th>'
             f'<th scope="col">Last asked</th></tr></thead><tbody>{rows}</tbody></table>'
             if rows else "<p>Every question so far was answered from the sessions.</p>")
    body = ("<h1>Unanswered questions</h1><p class=\"meta\">What learners asked that the "
            f"sessions do not cover: candidates for the next session.</p>{table}")
    return page("Unanswered questions", body, "/console/questions", csrf)
