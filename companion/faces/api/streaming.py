"""Server-sent events for answers: a `sentence` event per answer sentence, then `done`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from companion.core.schemas import Answer
from companion.llm.streaming import SentenceEvent

EVENT_STREAM = "text/event-stream"


def sse_event(event: str, data: str) -> bytes:
    """One event in the `text/event-stream` wire format (`data` must be one line, e.g. JSON)."""
    return f"event: {event}\ndata: {data}\n\n".encode()


def stream_events(
    items: Iterable[SentenceEvent | Answer], finish: Callable[[Answer], Answer]
) -> Iterator[bytes]:
    """Events as the answer service produces them.

    Each `sentence` goes out the moment it is ready (not after the whole answer), then `done`
    with the finished answer (`finish` adds links and logs the question).
    """
    for item in items:
        if isinstance(item, Answer):
            yield sse_event("done", finish(item).model_dump_json())
            return
        payload = {"index": item.index, "text": item.text, "citations": item.citations}
        yield sse_event("sentence", json.dumps(payload, ensure_ascii=False))


def wants_event_stream(accept: str | None) -> bool:
    """Whether an `Accept` header asks for server-sent events."""
    return bool(accept) and EVENT_STREAM in (accept or "").lower()
