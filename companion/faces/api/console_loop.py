"""The learning loop's part of the console: tries and outcomes over time, tips to look at."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from companion.faces.api import charts
from companion.features.loop.impact import Impact, ImpactWeek, week_of

e = html.escape
WEEKS = 12


def recent_weeks(weeks: list[ImpactWeek], n: int = WEEKS) -> list[ImpactWeek]:
    """The last `n` weeks up to this one, with empty weeks filled in."""
    this = date.fromisoformat(week_of(datetime.now(UTC).isoformat()))
    have = {w.week: w for w in weeks}
    days = [(this - timedelta(weeks=n - 1 - i)).isoformat() for i in range(n)]
    return [have.get(d) or ImpactWeek(week=d) for d in days]


def impact_charts(impact: Impact) -> str:
    """Charts of what learners tried and how it went, and the tips flagged to facilitators."""
    t = impact.totals
    weeks = recent_weeks(impact.weeks)
    top = impact.tips[:8]
    flagged = [r for r in impact.tips if r.flagged]
    parts = [
        "<h2>Learning loop</h2>",
        f'<p class="meta">{t.tries} tries: {t.worked} worked, {t.partly} partly, '
        f"{t.did_not} did not · {t.reflections_shared} reflections shared, "
        f"{t.reflections_private} kept private.</p>",
        '<div class="charts">',
        charts.bar_chart("Tries per week (dark: reported as worked)",
                         [w.week[5:] for w in weeks], [w.tries for w in weeks],
                         [w.worked for w in weeks], "worked"),
        charts.hbar_chart("Outcomes", ["worked", "partly", "did not"],
                          [t.worked, t.partly, t.did_not]),
        charts.hbar_chart("Most tried tips", [r.label[:60] for r in top],
                          [r.totals.tries for r in top]),
        charts.hbar_chart("Tries by series", [r.label[:60] for r in impact.series[:8]],
                          [r.totals.tries for r in impact.series[:8]]),
        "</div>",
    ]
    if flagged:
        items = "".join(
            f'<li><a href="/tips/{quote(r.key, safe="")}">{e(r.label)}</a> '
            f'<span class="meta">{r.totals.tries} tried · {r.totals.worked} worked · '
            f"{r.totals.partly} partly · {r.totals.did_not} did not</span></li>"
            for r in flagged
        )
        parts.append(f"<h3>Many tried these, few found them useful</h3><ul>{items}</ul>")
    return "".join(parts)
