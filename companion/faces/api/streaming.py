"""Server-sent events for answers: a `sentence` event per answer sentence, then `done`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from companion.core.grounding import split_cited_sentences
from companion.core.schemas import Answer

EVENT_STREAM = "text/event-stream"


def sse_event(event: str, data: str) -> bytes:
    """One event in the `text/event-stream` wire format (`data` must be one line, e.g. JSON)."""
    return f"event: {event}\ndata: {data}\n\n".encode()


def answer_events(answer: Answer) -> Iterator[bytes]:
    """The answer as events.

    `sentence`: `{"index", "text", "citations"}` where citations are 1-based numbers into the
    final answer's `citations`; `done`: the whole answer, the same JSON as a non-streamed reply.
    """
    for index, (text, markers) in enumerate(split_cited_sentences(answer.answer)):
        payload = {"index": index, "text": text, "citations": markers}
        yield sse_event("sentence", json.dumps(payload, ensure_ascii=False))
    yield sse_event("done", answer.model_dump_json())


def wants_event_stream(accept: str | None) -> bool:
    """Whether an `Accept` header asks for server-sent events."""
    return bool(accept) and EVENT_STREAM in (accept or "").lower()
