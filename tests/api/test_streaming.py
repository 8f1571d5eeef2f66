"""SSE: each sentence leaves the server as the answer service produces it, not at the end."""

from __future__ import annotations

import json
import threading

from api.support import Api
from companion.core.schemas import Answer
from companion.llm.streaming import SentenceEvent


def test_the_first_sentence_arrives_before_the_answer_is_finished(api: Api):
    received_first = threading.Event()
    finished_early: list[bool] = []

    def slow_stream(question, filters=None, generator=None):
        yield SentenceEvent(index=0, text="Two pages at most.", citations=[])
        # A model still writing: the rest comes only once the client has the first sentence.
        finished_early.append(not received_first.wait(timeout=20))
        yield SentenceEvent(index=1, text="Ministers read late.", citations=[])
        yield Answer(question=question, answer="Two pages at most. Ministers read late.",
                     abstained=False)

    answers = api.client.app.state.services.answers
    answers.stream = slow_stream  # type: ignore[method-assign]
    events = []
    with api.client.stream("POST", "/v1/ask", json={"question": "How long?"},
                           headers=api.admin_headers(Accept="text/event-stream")) as r:
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                received_first.set()
    assert [n for n, _ in events] == ["sentence", "sentence", "done"]
    assert finished_early == [False]  # the client had sentence 1 while sentence 2 was pending
    assert events[-1][1]["answer"].startswith("Two pages")
