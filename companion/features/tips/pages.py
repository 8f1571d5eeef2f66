"""Server-rendered HTML for tip permalinks: a shareable list (`/tips?topic=`) and one tip.

Every value is escaped; pages show only what `TipViews` shows (no quote from a session without
consent), so they can be public.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import quote as url_quote

from companion.core.text import clock
from companion.features.tips.models import Tip, TipDetail, TipQuote

TEMPLATE = Path(__file__).resolve().parent / "templates" / "tips.html"
SessionInfo = dict[str, tuple[str, str | None]]
e = html.escape


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def page(title: str, body: str) -> str:
    """A whole page around `body` (already HTML)."""
    return _template().substitute(title=e(title), body=body, home="/tips")


def tip_url(tip_id: str) -> str:
    """The permalink path of a tip."""
    return f"/tips/{url_quote(tip_id, safe='')}"


def _quote(q: TipQuote, sessions: SessionInfo) -> str:
    title, date = sessions.get(q.session_id, (q.session_id, None))
    where = [q.speaker or "notes", title, date, clock(q.start) or None]
    label = e(" · ".join(w for w in where if w))
    if q.url:
        label = f'<a href="{e(q.url)}">{label}</a>'
    return f"<blockquote><p>“{e(q.quote)}”</p><cite>{label}</cite></blockquote>"


def _tip(tip: Tip, sessions: SessionInfo, quotes: int, link: bool) -> str:
    s = tip.support
    seen = tip.first_seen
    if tip.first_seen != tip.last_seen:
        seen = f"{tip.first_seen} to {tip.last_seen}"
    badge = f'<span class="badge {e(tip.status)}">{e(tip.status)}</span>'
    heading = f'<a href="{tip_url(tip.id)}">{e(tip.text)}</a>' if link else e(tip.text)
    parts = [
        f'<section class="tip" id="{e(tip.id)}"><h2>{heading}</h2>',
        f'<p class="meta">Given in {s.sessions} session{"s" * (s.sessions != 1)} by '
        f'{s.speakers} colleague{"s" * (s.speakers != 1)} · {e(seen or "undated")} {badge}',
    ]
    if tip.topics:
        parts.append(f"<br>Topics: {e(', '.join(tip.topics))}")
    parts.append("</p>")
    parts += [_quote(q, sessions) for q in tip.quotes[:quotes]]
    if link and len(tip.quotes) > quotes:
        parts.append(f'<p><a href="{tip_url(tip.id)}">All {len(tip.quotes)} quotes</a></p>')
    if tip.contradicts:
        links = ", ".join(f'<a href="{tip_url(t)}">{e(t)}</a>' for t in tip.contradicts)
        parts.append(f'<p class="disagree">Colleagues disagree: see {links}</p>')
    parts.append("</section>")
    return "".join(parts)


def list_page(tips: Sequence[Tip], sessions: SessionInfo, topic: str | None) -> str:
    """Ranked tips, optionally about a topic, with a topic search box."""
    title = f"Top tips on {topic}" if topic else "Top tips"
    form = (f'<form class="topic" method="get" action="/tips"><input name="topic" '
            f'value="{e(topic or "")}" placeholder="a topic, e.g. working with ministers" '
            f'aria-label="topic"><button type="submit">Show tips</button></form>')
    body = "".join(_tip(t, sessions, 2, link=True) for t in tips) or (
        "<p>No tips about this yet.</p>" if topic else "<p>No tips yet.</p>")
    return page(title, f"<h1>{e(title)}</h1>{form}{body}")


def detail_page(tip: TipDetail, others: Sequence[Tip], sessions: SessionInfo) -> str:
    """One tip with every quote, the tips that disagree with it, and its review history."""
    body = [f"<h1>{e(tip.text)}</h1>", _tip(tip, sessions, len(tip.quotes), link=False)]
    if others:
        body.append("<h2>Colleagues disagree</h2>")
        body += [_tip(o, sessions, 2, link=True) for o in others]
    if tip.history:
        items = "".join(
            f"<li>{e(h.at[:10])} · {e(h.by)} · {e(h.action)}"
            f"{': ' + e(h.detail) if h.detail else ''}</li>" for h in tip.history
        )
        body.append(
            f'<details><summary>History</summary><ol class="history">{items}</ol></details>'
        )
    return page(tip.text, "".join(body))


def not_found_page(tip_id: str) -> str:
    """The page for a tip id that does not exist (or has nothing that may be shown)."""
    return page("Tip not found", f"<h1>Tip not found</h1><p>There is no tip <code>{e(tip_id)}"
                f"</code>, or it has no quotes that may be shown.</p>"
                f'<p><a href="/tips">All top tips</a></p>')
