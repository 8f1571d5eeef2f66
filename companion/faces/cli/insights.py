"""`companion insights`: what learners asked, what went unanswered, weekly counts."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json


@app.command()
def insights(
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    weeks: Annotated[int, typer.Option(min=1, max=104, help="weeks of counts")] = 12,
    limit: Annotated[int, typer.Option(min=1, max=500, help="most questions listed")] = 20,
) -> None:
    """What learners asked through the API and widget: unanswered questions, weekly counts."""
    report = open_companion().insights.report(weeks=weeks, limit=limit)
    if json_out:
        print_json(report)
        return
    share = "—" if report.answered_share is None else f"{report.answered_share:.0%}"
    typer.echo(f"{report.total} questions, {report.answered} answered ({share})")
    typer.echo("\nUnanswered, most asked first:")
    for u in report.unanswered or []:
        typer.echo(f"  {u.count:>3} × {u.question}  (last {u.last_asked[:10]})")
    if not report.unanswered:
        typer.echo("  none")
    typer.echo("\nQuestions per week (asked / answered):")
    for w in report.weekly:
        if w.asked:
            typer.echo(f"  {w.week}  {w.asked:>4} / {w.answered}")
    usage = report.usage
    typer.echo(f"\nTips viewed: {usage.get('tips_viewed', 0)} · peers suggested: "
               f"{usage.get('peers_suggested', 0)}")
