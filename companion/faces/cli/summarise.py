"""`companion summarise SESSION_ID | --series NAME | --open-questions`."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any, TypeVar

import typer

from companion.core.errors import InputError
from companion.faces.cli import app
from companion.faces.cli.common import check_date, open_companion, print_json
from companion.features.summaries.models import SeriesDigest, Summary

T = TypeVar("T")


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
    from companion.features.summaries.corpus import CorpusQuestions
    from companion.features.summaries.digest import build_digest
    from companion.features.summaries.render import MarkdownRenderer
    from companion.features.summaries.render_html import HtmlRenderer

    if sum((session_id is not None, series is not None, open_questions)) != 1:
        raise InputError("give one of: SESSION_ID, --series NAME, --open-questions")
    if fmt not in ("md", "html", "json"):
        raise InputError(f"--format: expected md, html or json, got '{fmt}'")
    if since is not None and series is None:
        raise InputError("--since goes with --series")
    companion = open_companion()
    ctx = companion.ctx
    out: Summary | SeriesDigest | str
    service = companion.summaries
    titles = {s.id: s.title for s in ctx.catalog.list_sessions()}
    render: MarkdownRenderer | HtmlRenderer = (
        HtmlRenderer if fmt == "html" else MarkdownRenderer
    )(ctx.settings.summaries.link_template, titles)
    # With a public address, citations become signed links into the transcript view.
    public = ctx.settings.web.public_url
    links = companion.citation_links(admin=True, base=public) if public else None

    def linked(value: T) -> T:
        return links.attach(value) if links is not None else value

    if session_id is not None:
        # The CLI is the operator's: it may summarise sessions without consent (marked so).
        summary = linked(service.summary(session_id, refresh=refresh, private=True))
        out = summary if fmt == "json" else render.summary(summary)
    elif series is not None:
        if refresh:
            from companion.features.summaries.digest import series_session_ids

            for sid in series_session_ids(service, series, check_date("--since", since)):
                service.summary(sid, refresh=True, private=True)
        digest = linked(build_digest(service, series, check_date("--since", since),
                                     private=include_private))
        out = digest if fmt == "json" else render.digest(digest)
    else:
        typer.echo(f"finding open questions across {len(titles)} sessions "
                   "(summarising any not yet summarised)…", err=True)
        started = time.perf_counter()
        with StageBars() as bars:
            found = linked(CorpusQuestions(service).all(private=include_private, progress=bars))
        typer.echo(f"{len(found)} open questions in {time.perf_counter() - started:.0f}s",
                   err=True)
        if fmt == "json":
            print_json([q.model_dump(mode="json") for q in found])
            return
        out = render.open_questions(found)
    if isinstance(out, str):
        typer.echo(out, nl=False)
    else:
        print_json(out)
