"""`companion impact` and `companion learners forget | purge`: the learning loop's figures."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json

learners_app = typer.Typer(
    help="Learners of the learning loop (pseudonymous ids from the widget): forget, retention.",
    no_args_is_help=True,
)
app.add_typer(learners_app, name="learners")


@app.command("impact")
def impact(
    weeks: Annotated[int, typer.Option(help="weeks of questions counted", min=1)] = 26,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """What learners tried and how it went: per week, tip, topic and series."""
    report = open_companion().loop.impact(weeks)
    if json_out:
        print_json(report)
        return
    t = report.totals
    typer.echo(f"{t.tries} tries: {t.worked} worked, {t.partly} partly, {t.did_not} did not; "
               f"{t.reflections_shared} reflections shared, {t.reflections_private} kept private; "
               f"{t.questions} questions asked")
    if report.weeks:
        typer.echo("\nweek        questions  tries  worked  partly  did not  reflections")
        for w in report.weeks:
            typer.echo(f"{w.week}  {w.questions:9}  {w.tries:5}  {w.worked:6}  {w.partly:6}  "
                       f"{w.did_not:7}  {w.reflections_shared + w.reflections_private:11}")
    for title, rows in (("Tips", report.tips), ("Topics", report.topics),
                        ("Series", report.series)):
        if rows:
            typer.echo(f"\n{title}:")
        for r in rows:
            c = r.totals
            flag = "  ⚑ few found it useful" if r.flagged else ""
            typer.echo(f"  {c.tries:3} tried · {c.worked} worked · {c.partly} partly · "
                       f"{c.did_not} did not  {r.label[:70]}{flag}")


@learners_app.command("forget")
def forget(
    learner: Annotated[str, typer.Argument(help="the learner's pseudonymous id")],
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Delete every try, outcome and reflection of a learner (shared ones leave ask too)."""
    from companion.features.loop.service import Caller
    from ingest.audit import cli_actor

    report = open_companion().loop.forget_learner(learner.strip(), Caller(actor=cli_actor()))
    if json_out:
        print_json(report)
        return
    typer.echo(f"removed {report.tries_removed} tries; {report.reflections_unpublished} "
               "shared reflections unpublished")


@learners_app.command("purge")
def purge(
    days: Annotated[
        int | None, typer.Option(help="older than this (default: loop.retention_days)", min=0)
    ] = None,
) -> None:
    """Apply the retention period to tries and reflections now."""
    from ingest.audit import cli_actor

    companion = open_companion()
    if days is None and companion.settings.loop.retention_days is None:
        typer.echo("no retention period: set COMPANION_LOOP__RETENTION_DAYS or pass --days")
        raise typer.Exit(1)
    n = companion.loop.apply_retention(cli_actor(), days)
    typer.echo(f"{n} tries deleted")
