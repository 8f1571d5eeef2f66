"""Summaries: one session's summary, a series digest, and open questions across sessions.

Access: admin keys only. Summaries are the facilitators' tool; a widget key (embedded in a public
intranet page) may ask, read tips, give feedback and suggest peers, nothing else, so it gets 403
here. Sessions without consent are left out of digests and open questions unless
`include_private=true`. `?format=md` returns the Markdown email text instead of JSON, `?format=html`
the same as an HTML email (transcript text escaped, only http(s) and transcript-view links).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from companion.faces.api.deps import AdminKey, CtxDep, LinksDep, SummariesDep
from companion.features.summaries.corpus import CorpusQuestions
from companion.features.summaries.digest import build_digest
from companion.features.summaries.models import CorpusQuestion, SeriesDigest, Summary
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.render_html import HtmlRenderer
from companion.retrieval.context import Context

router = APIRouter(prefix="/v1", tags=["summaries"])

Format = Literal["json", "md", "html"]
MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


def _renderer(ctx: Context, format: Format = "md") -> MarkdownRenderer | HtmlRenderer:
    titles = {s.id: s.title for s in ctx.catalog.list_sessions()}
    kind = HtmlRenderer if format == "html" else MarkdownRenderer
    return kind(ctx.settings.summaries.link_template, titles)


@router.get("/sessions/{session_id}/summary", response_model=Summary)
async def session_summary(
    session_id: str,
    ctx: CtxDep,
    summaries: SummariesDep,
    key: AdminKey,
    links: LinksDep,
    format: Format = "json",
    refresh: bool = False,
) -> Summary | Response:
    """A session's cited summary (cached; `refresh=true` regenerates it); citations link in."""
    summary = links.attach(await run_in_threadpool(summaries.summary, session_id, refresh, True))
    if format != "json":
        return Response(_renderer(ctx, format).summary(summary), media_type=MEDIA[format])
    return summary


@router.get("/series/{series}/digest", response_model=SeriesDigest)
async def series_digest(
    series: str,
    ctx: CtxDep,
    summaries: SummariesDep,
    key: AdminKey,
    links: LinksDep,
    since: dt.date | None = None,
    include_private: bool = False,
    format: Format = "json",
) -> SeriesDigest | Response:
    """A digest across a series' sessions; sessions without consent only for admin keys."""
    digest = links.attach(await run_in_threadpool(
        build_digest, summaries, series, since.isoformat() if since else None,
        include_private,
    ))
    if format != "json":
        return Response(_renderer(ctx, format).digest(digest), media_type=MEDIA[format])
    return digest


@router.get("/open-questions", response_model=list[CorpusQuestion])
async def open_questions(
    ctx: CtxDep,
    summaries: SummariesDep,
    key: AdminKey,
    links: LinksDep,
    include_private: bool = False,
    format: Format = "json",
) -> list[CorpusQuestion] | Response:
    """Questions left open in a session: where another session answers them, or whom to ask."""
    found = links.attach(await run_in_threadpool(
        CorpusQuestions(summaries).all, include_private
    ))
    if format != "json":
        return Response(_renderer(ctx, format).open_questions(found), media_type=MEDIA[format])
    return found
