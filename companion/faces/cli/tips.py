"""`companion tips`, `tips show`, `tips review`, `tips reword`, `tips rebuild`."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from companion.core.errors import InputError
from companion.faces.cli import app
from companion.faces.cli.common import clock, open_companion, open_context, print_json

if TYPE_CHECKING:
    from companion.features.tips.models import Tip, TipDetail, TipQuote

tips_app = typer.Typer(
    help="Top tips across sessions: ranked, with quotes; show one; review.",
    invoke_without_command=True,
)
app.add_typer(tips_app, name="tips")

SessionInfo = dict[str, tuple[str, str | None]]
WORDING_LABELS = {
    "quote": "a quote, tidied",
    "llm": "the model's, checked against the quotes it cites",
    "reviewer": "edited by a reviewer",
}


def quote_line(q: TipQuote, sessions: SessionInfo) -> str:
    """One quote as a person reads it: the words, then speaker · session · date · time."""
    title, date = sessions.get(q.session_id, (q.session_id, None))
    where = [q.speaker or "notes", title]
    if date:
        where.append(date)
    if q.start is not None:
        where.append(clock(q.start))
    return f"“{q.quote}”\n       — {' · '.join(where)}"


def render_tip(n: int | None, tip: Tip, sessions: SessionInfo, quotes: int = 2) -> str:
    """A tip: text, support, status, contradictions, its first quotes."""
    head = f"{n:2}. " if n is not None else ""
    s = tip.support
    seen = tip.first_seen
    if tip.first_seen != tip.last_seen:
        seen = f"{tip.first_seen} → {tip.last_seen}"
    lines = [
        f"{head}{tip.text}",
        f"    {s.sessions} session{'s' * (s.sessions != 1)}, {s.speakers} "
        f"speaker{'s' * (s.speakers != 1)} · {seen or 'undated'} · {tip.status} · {tip.id}",
    ]
    if tip.topics:
        lines.append(f"    topics: {', '.join(tip.topics)}")
    if tip.contradicts:
        lines.append(f"    colleagues disagree: see {', '.join(tip.contradicts)}")
    lines += [f"    {quote_line(q, sessions)}" for q in tip.quotes[:quotes]]
    if len(tip.quotes) > quotes:
        lines.append(f"    (+{len(tip.quotes) - quotes} more: companion tips show {tip.id})")
    return "\n".join(lines)


def render_detail(tip: TipDetail, others: list[Tip], sessions: SessionInfo) -> str:
    """A tip with every quote, what contradicts it, and its history."""
    lines = [render_tip(None, tip, sessions, quotes=len(tip.quotes))]
    lines.append(f"    wording: {WORDING_LABELS[tip.wording]}")
    o = tip.outcomes
    if o.tried:
        flag = " · flagged: few found it useful" if o.flagged else ""
        lines.append(f"    learners: {o.tried} tried · {o.worked} worked · {o.partly} partly · "
                     f"{o.did_not} did not{flag}")
    lines += [f"    “{r.quote}” — a learner, {r.outcome.replace('_', ' ')}"
              f"{' · ' + r.date if r.date else ''}" for r in tip.reflections]
    if tip.merged_from:
        lines.append(f"    merged from: {', '.join(tip.merged_from)}")
    for other in others:
        lines += ["", "Colleagues disagree:", render_tip(None, other, sessions, quotes=1)]
    lines += ["", "History:"]
    lines += [
        f"    {h.at}  {h.by:12} {h.action}{': ' + h.detail if h.detail else ''}"
        for h in tip.history
    ]
    return "\n".join(lines)


@tips_app.callback()
def tips(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option(help="only tips about this (by meaning)")] = None,
    limit: Annotated[int, typer.Option(help="how many tips", min=0)] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="every tip, retired ones too, no limit")
    ] = False,
) -> None:
    """Top tips overall, ranked by how many sessions and speakers gave them."""
    if ctx.invoked_subcommand is not None:
        return

    views = open_companion().tips.views
    found = views.list_tips(
        topic=topic, limit=None if show_all else limit, include_retired=show_all
    )
    if json_out:
        print_json([t.model_dump(mode="json") for t in found])
        return
    if not found:
        about = f" about '{topic}'" if topic else ""
        typer.echo(f"no tips{about} yet: ingest sessions with `companion ingest PATH`")
        return
    sessions = views.session_titles(found)
    typer.echo("\n\n".join(render_tip(i, t, sessions) for i, t in enumerate(found, 1)))


@tips_app.command("show")
def show(
    tip_id: Annotated[str, typer.Argument(help="the tip's id")],
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One tip with all its quotes, sessions, speakers, contradictions and history."""
    views = open_companion().tips.views
    survivor = views.resolve(tip_id)
    detail = views.get(survivor)
    if json_out:
        print_json(detail)
        return
    if survivor != tip_id:
        typer.echo(f"{tip_id} was merged into {survivor}\n")
    others = [views.get(other) for other in detail.contradicts]
    typer.echo(render_detail(detail, list(others), views.session_titles([detail, *others])))


@tips_app.command("review")
def review(
    tip_id: Annotated[str, typer.Argument(help="the tip's id")],
    approve: Annotated[bool, typer.Option("--approve", help="mark the tip as approved")] = False,
    retire: Annotated[bool, typer.Option("--retire", help="hide the tip from the ranking")] = False,
    edit: Annotated[str | None, typer.Option("--edit", help="better wording for the tip")] = None,
    merge: Annotated[
        str | None,
        typer.Option("--merge", help="fold OTHER_ID into this tip (OTHER_ID then redirects here)"),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="who reviews (default: your login)")
    ] = None,
) -> None:
    """Approve, retire, re-word or merge a tip; the decision survives re-ingest."""
    chosen = [name for name, on in (("approve", approve), ("retire", retire),
                                    ("edit", edit is not None), ("merge", merge is not None)) if on]
    if len(chosen) != 1:
        raise InputError("give exactly one of --approve, --retire, --edit TEXT, --merge OTHER_ID")
    action = chosen[0]
    reviewer = by or getpass.getuser()
    registry = open_companion().tips.registry
    done = registry.review(tip_id, action, by=reviewer, text=edit, other_id=merge)  # type: ignore[arg-type]
    what = {"approve": "approved", "retire": "retired", "edit": "re-worded",
            "merge": f"merged {merge} into"}[action]
    typer.echo(f"{what} {done}")


@tips_app.command("rebuild")
def rebuild() -> None:
    """Re-extract and re-cluster every session (after changing tips settings); ids carry over."""
    report = open_companion(show_progress=True).tips.registry.rebuild()
    typer.echo(f"{report.quotes} advice quotes; {len(report.created)} new tips; "
               f"{report.removed_tips} tips without quotes removed")


@tips_app.command("reword")
def reword(
    limit: Annotated[int, typer.Option(help="how many of the top tips", min=1)] = 10,
    force: Annotated[
        bool, typer.Option("--force", help="ask again about tips that already have a verdict")
    ] = False,
) -> None:
    """Have the LLM provider word the top tips; keep only wordings their quotes support."""
    from companion.features.tips.wording import reword_top_tips

    report = reword_top_tips(open_context(), limit=limit, force=force)
    for o in report.outcomes:
        shown = f": {o.text}" if o.text else ""
        typer.echo(f"{o.status:9} {o.tip_id}{shown} ({o.reason})")
    counts = ", ".join(
        f"{report.count(status)} {status}"
        for status in ("kept", "dropped", "unchanged", "skipped", "failed")
    )
    typer.echo(f"\n{counts}")
    for reason, n in report.drop_reasons().most_common():
        typer.echo(f"    dropped {n}: {reason}")
    if report.count("failed"):
        raise typer.Exit(1)
