"""`POST /v1/ask`: a cited answer as JSON, or streamed as server-sent events."""

from __future__ import annotations

import datetime as dt
from itertools import chain
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from companion.core.schemas import Answer, Text
from companion.faces.api.deps import AnswersDep, InsightsDep, LinksDep, WidgetOrAdminKey
from companion.faces.api.streaming import EVENT_STREAM, stream_events, wants_event_stream
from companion.retrieval.hybrid import SearchFilters

router = APIRouter(prefix="/v1", tags=["ask"])


class AskFilters(BaseModel):
    """Which sessions to answer from."""

    model_config = ConfigDict(extra="forbid")

    kind: Text | None = Field(default=None, max_length=100, description="e.g. lunch-and-learn")
    since: dt.date | None = Field(default=None, description="sessions on or after, YYYY-MM-DD")
    until: dt.date | None = Field(default=None, description="sessions on or before, YYYY-MM-DD")
    speaker: Text | None = Field(default=None, max_length=200)
    include_private: bool = Field(
        default=False, description="admin keys only: include sessions without consent to share"
    )


class AskRequest(BaseModel):
    """A question, optionally with filters."""

    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, description="limited to max_question_chars")
    filters: AskFilters | None = None

    def search_filters(self, allow_private: bool) -> SearchFilters:
        """Retrieval filters; private sessions only when the caller may see them."""
        f = self.filters or AskFilters()
        return SearchFilters(
            kind=f.kind, speaker=f.speaker,
            since=f.since.isoformat() if f.since else None,
            until=f.until.isoformat() if f.until else None,
            include_private=allow_private and f.include_private,
        )


@router.post(
    "/ask",
    response_model=Answer,
    responses={200: {"content": {EVENT_STREAM: {"schema": {"type": "string"}}},
                     "description": "the answer; as `sentence` events then `done` with SSE"}},
)
def ask(
    body: AskRequest,
    key: WidgetOrAdminKey,
    answers: AnswersDep,
    links: LinksDep,
    insights: InsightsDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response | Answer:
    """Answer from the sessions with citations, or say plainly that they don't cover it.

    Send `Accept: text/event-stream` to receive `sentence` events as each sentence is composed
    and a final `done` event carrying the whole answer. Every citation has a `url` that opens
    the transcript at that moment (signed for this key). Widget keys never get private
    (no-consent) sessions. The question is logged (no personal data) for facilitators.
    """
    filters = body.search_filters(allow_private=key.is_admin)

    def finish(answer: Answer) -> Answer:
        insights.record(body.question, answer, key.id)
        return links.attach(answer)

    if wants_event_stream(accept):
        items = answers.stream(body.question, filters)
        first = next(items)  # bad input fails here, as a problem, before the stream starts
        return StreamingResponse(
            stream_events(chain([first], items), finish), media_type=EVENT_STREAM,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return finish(answers.ask(body.question, filters))
