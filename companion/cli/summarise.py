"""`companion summarise SESSION_ID | --series NAME | --open-questions`."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Any

import typer

from companion.cli import app
from companion.cli.common import open_context, print_json
from companion.errors import InputError
from companion.summaries.models import SeriesDigest, Summary


class StageBars:
    """A tqdm bar on stderr per stage of long work; `bars(stage, done, total)` advances it."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show `done` of `total` for the stage (a new bar for a new stage; hidden off a TTY)."""
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr,
                                          leave=False, disable=None)
        bar.total = total
        bar.update(done - bar.n)

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars.values():
            bar.close()


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"--since: expected a date as YYYY-MM-DD, got '{value}'") from exc
    return value


@app.command()
def summarise(
    session_id: Annotated[str | None, typer.Argument(help="the session to summarise")] = None,
    series: Annotated[
        str | None, typer.Option("--series", help="a digest across this series' sessions")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="--series: only sessions on or after YYYY-MM-DD")
    ] = None,
    open_questions: Annotated[
        bool, typer.Option("--open-questions",
                           help="questions no session answers, with peers to ask")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="md, html (an email) or json")] = "md",
    refresh: Annotated[
        bool, typer.Option("--refresh", help="regenerate even if the cached summary is fresh")
    ] = False,
    include_private: Annotated[
        bool, typer.Option(help="--series / --open-questions: include sessions whose "
                                "participants did not consent to sharing")
    ] = False,
) -> None:
    """A cited summary of a session, a digest of a series, or the corpus's open questions."""
    from companion.summaries.corpus import CorpusQuestions
    from companion.summaries.digest import build_digest
    from companion.summaries.render import MarkdownRenderer
    from companion.summaries.render_html import HtmlRenderer
    from companion.summaries.service import SummaryService

    if sum((session_id is not None, series is not None, open_questions)) != 1:
        raise InputError("give one of: SESSION_ID, --series NAME, --open-questions")
    if fmt not in ("md", "html", "json"):
        raise InputError(f"--format: expected md, html or json, got '{fmt}'")
    if since is not None and series is None:
        raise InputError("--since goes with --series")
    ctx = open_context()
    out: Summary | SeriesDigest | str
    service = SummaryService(ctx)
    titles = {s.id: s.title for s in ctx.catalog.list_sessions()}
    render: MarkdownRenderer | HtmlRenderer = (
        HtmlRenderer if fmt == "html" else MarkdownRenderer
    )(ctx.settings.summaries.link_template, titles)
    if session_id is not None:
        # The CLI is the operator's: it may summarise sessions without consent (marked so).
        summary = service.summary(session_id, refresh=refresh, private=True)
        out = summary if fmt == "json" else render.summary(summary)
    elif series is not None:
        if refresh:
            from companion.summaries.digest import series_session_ids

            for sid in series_session_ids(service, series, _check_date(since)):
                service.summary(sid, refresh=True, private=True)
        digest = build_digest(service, series, _check_date(since), private=include_private)
        out = digest if fmt == "json" else render.digest(digest)
    else:
        with StageBars() as bars:
            found = CorpusQuestions(service).all(private=include_private, progress=bars)
        if fmt == "json":
            print_json([q.model_dump(mode="json") for q in found])
            return
        out = render.open_questions(found)
    if isinstance(out, str):
        typer.echo(out, nl=False)
    else:
        print_json(out)
