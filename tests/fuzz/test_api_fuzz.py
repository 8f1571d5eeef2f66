"""Fuzzed API requests: request models only ever raise ValidationError; the app answers 2xx, or
4xx as application/problem+json, never 500.

Bodies that pass validation reach the real embedding model (ask) or the real pipeline
(uploads), so those properties run few examples; shapes that fail validation run many.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api.support import Api
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from companion.core.schemas import Citation
from companion.faces.api.routers.ask import AskFilters, AskRequest
from companion.faces.api.routers.tips import ReviewRequest
from companion.features.feedback.store import FeedbackIn
from fuzz.strategies import (
    JSON_VALUES,
    STRING_FAULTS,
    markdown_files,
    plaintext_files,
    srt_files,
    vtt_files,
)
from fuzz.support import FUZZ

REQUEST_MODELS: list[type[BaseModel]] = [
    AskRequest, AskFilters, FeedbackIn, ReviewRequest, Citation,
]
NO_LIMITS = {
    "rate_limit_per_minute": 10**6, "rate_limit_burst": 10**6,
    "key_rate_limit_per_minute": 10**6, "key_rate_limit_burst": 10**6,
}

# Values for known fields: right and wrong types, empty, huge, awkward text, deep nesting.
FIELD_VALUES = st.one_of(
    JSON_VALUES,
    STRING_FAULTS,
    st.sampled_from(["helpful", "not_helpful", "approve", "edit", "merge", "2024-03-01",
                     "2024-02-30", "9999-12-31", "0000-01-01", "-1", "1e400", "lunch-and-learn",
                     "How long should a submission be?"]),
    st.integers(-(10**30), 10**30),
    st.integers(1, 100_000).map(lambda length: "x" * length),
    # Deeper than Python's recursion limit would make the strategy itself fail.
    st.integers(1, 400).map(lambda depth: json.loads("[" * depth + "]" * depth)),
)
KNOWN_KEYS = st.sampled_from([
    "question", "filters", "kind", "since", "until", "speaker", "include_private", "comment",
    "answer", "citation", "url", "action", "text", "other_id", "by", "session_id",
    "session_title", "start", "end", "turn_start", "turn_end", "quote", "extra",
])
TEXT_VALUES = st.one_of(
    st.text(max_size=40), STRING_FAULTS, st.integers(1, 5_000).map(lambda length: "x" * length),
)
OPTIONAL_TEXT = st.one_of(st.none(), TEXT_VALUES)
CITATIONS = st.fixed_dictionaries({
    "session_id": TEXT_VALUES, "session_title": TEXT_VALUES, "speaker": OPTIONAL_TEXT,
    "start": st.one_of(st.none(), st.floats()), "end": st.one_of(st.none(), st.floats()),
    "turn_start": st.integers(), "turn_end": st.integers(), "quote": TEXT_VALUES,
})
FEEDBACK_BODIES = st.fixed_dictionaries(
    {"kind": st.sampled_from(["helpful", "not_helpful", "wrong_citation", "broken_link", "other"])},
    optional={"question": OPTIONAL_TEXT, "answer": OPTIONAL_TEXT, "url": OPTIONAL_TEXT,
              "comment": OPTIONAL_TEXT, "citation": st.one_of(OPTIONAL_TEXT, CITATIONS)},
)
ASK_BODIES = st.fixed_dictionaries(
    {"question": st.one_of(STRING_FAULTS, FIELD_VALUES, st.just("   "),
                           st.integers(1001, 30_000).map(lambda length: "x" * length))},
    optional={"filters": st.one_of(FIELD_VALUES, st.fixed_dictionaries({}, optional={
        "kind": OPTIONAL_TEXT, "speaker": OPTIONAL_TEXT, "since": OPTIONAL_TEXT,
        "until": OPTIONAL_TEXT, "include_private": FIELD_VALUES, "extra": FIELD_VALUES}))},
)
REVIEW_BODIES = st.fixed_dictionaries(
    {"action": st.sampled_from(["approve", "retire", "edit", "merge", "delete"])},
    optional={"text": OPTIONAL_TEXT, "other_id": OPTIONAL_TEXT, "by": OPTIONAL_TEXT},
)
BODIES = st.one_of(
    st.dictionaries(KNOWN_KEYS, FIELD_VALUES, max_size=6),
    FEEDBACK_BODIES, ASK_BODIES, REVIEW_BODIES, CITATIONS,
    JSON_VALUES,
)


def _encodes(model: BaseModel) -> None:
    # Whatever validates must be storable and sendable: SQLite and responses encode UTF-8.
    model.model_dump_json().encode("utf-8")
    json.dumps(model.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")


@settings(FUZZ, max_examples=300)
@given(model=st.sampled_from(REQUEST_MODELS), body=BODIES)
def test_request_models_only_raise_validation_errors(model: type[BaseModel], body: Any) -> None:
    try:
        model.model_validate(body)
    except ValidationError:
        return


@settings(FUZZ, max_examples=300)
@example(model=FeedbackIn, raw=b'{"kind": "helpful", "citation": "\\udfff"}')
@example(model=FeedbackIn, raw=b'{"kind": "other", "citation": {"session_id": "\\ud800", '
         b'"session_title": "t", "speaker": null, "start": null, "end": null, "turn_start": 0, '
         b'"turn_end": 0, "quote": "q"}}')
@given(model=st.sampled_from(REQUEST_MODELS), raw=st.one_of(
    st.binary(max_size=200),
    BODIES.map(lambda body: json.dumps(body).encode()),
))
def test_request_models_from_raw_json(model: type[BaseModel], raw: bytes) -> None:
    # FastAPI validates request bodies from the raw JSON, as here.
    try:
        validated = model.model_validate_json(raw)
    except ValidationError:
        event(f"{model.__name__}: invalid")
        return
    event(f"{model.__name__}: valid")
    _encodes(validated)


# --- through the app ------------------------------------------------------------------------


@pytest.fixture
def app(make_api: Callable[..., Api]) -> Iterator[Api]:
    """One app (with rate limits out of the way) shared by every example of a test."""
    yield make_api(raise_server_exceptions=False, **NO_LIMITS)


def assert_clean_response(response: Any, *, allowed: set[int]) -> None:
    """2xx as JSON (or an event stream), anything else a 4xx problem+json; never a 500."""
    status = response.status_code
    event(f"status {status}")
    assert status < 500, (status, response.text[:500])
    content_type = response.headers.get("content-type", "")
    if status >= 400:
        assert content_type.startswith("application/problem+json"), content_type
        problem = response.json()
        assert problem["status"] == status and problem["detail"]
        assert "Traceback" not in response.text
    assert status in allowed, (status, response.text[:500])


def _json_or_raw(body: Any) -> dict[str, Any]:
    """Request kwargs: a JSON body, or (for bytes) raw content labelled as JSON."""
    if isinstance(body, bytes):
        return {"content": body, "headers": {"Content-Type": "application/json"}}
    return {"content": json.dumps(body).encode(), "headers": {"Content-Type": "application/json"}}


INVALID_BODIES = st.one_of(
    BODIES,
    st.binary(max_size=300),
    st.integers(1, 100_000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
    st.integers(1, 100_000).map(
        lambda depth: ('{"question":' * depth + "1" + "}" * depth).encode()
    ),
    st.sampled_from([b"", b"null", b"NaN", b'{"question": NaN}', b'{"question": "\\ud800"}',
                     b'{"question": "a", "question": 1}', b"\xff\xfe{}"]),
    st.integers(1, 2_000_000).map(lambda length: b'"' + b"x" * length + b'"'),
)


@settings(FUZZ, max_examples=150)
@given(body=st.one_of(ASK_BODIES, INVALID_BODIES), admin=st.booleans())
def test_ask_with_arbitrary_bodies(app: Api, body: Any, admin: bool) -> None:
    question = body.get("question") if isinstance(body, dict) else None
    if isinstance(question, str) and question.strip() and len(question) <= 1000 and not any(
        "\ud800" <= char <= "\udfff" for char in question
    ):
        # This question would reach the embedding model; test_ask_with_valid_shapes covers that.
        body["question"] = 12
    request = _json_or_raw(body)
    request["headers"].update(app.admin_headers() if admin else app.widget_headers())
    response = app.client.post("/v1/ask", **request)
    assert_clean_response(response, allowed={400, 413, 415, 422})


QUESTIONS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["How long should a submission be?", "x" * 1000, "x " * 600, "\ud800?",
                     "\x00", "<script>alert(1)</script>", "a\u2028b", "é" * 999, "?" * 5]),
)


@settings(FUZZ, max_examples=25)
@given(
    question=QUESTIONS,
    filters=st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "kind": st.text(max_size=20), "speaker": st.text(max_size=20),
        "since": st.dates().map(str), "until": st.dates().map(str),
        "include_private": st.booleans(),
    })),
    stream=st.booleans(),
)
def test_ask_with_valid_shapes(app: Api, question: str, filters: Any, stream: bool) -> None:
    headers = app.widget_headers(Accept="text/event-stream") if stream else app.admin_headers()
    body = json.dumps({"question": question, "filters": filters}).encode()
    response = app.client.post("/v1/ask", content=body,
                               headers={**headers, "Content-Type": "application/json"})
    assert_clean_response(response, allowed={200, 422})


@settings(FUZZ, max_examples=150)
@example(body={"kind": "helpful", "citation": "\udfff"}, admin=False)  # was a 500, row stored
@given(body=st.one_of(FEEDBACK_BODIES, INVALID_BODIES), admin=st.booleans())
def test_feedback_with_arbitrary_bodies(app: Api, body: Any, admin: bool) -> None:
    request = _json_or_raw(body)
    request["headers"].update(app.admin_headers() if admin else app.widget_headers())
    response = app.client.post("/v1/feedback", **request)
    assert_clean_response(response, allowed={201, 400, 413, 422})


@settings(FUZZ, max_examples=100)
@given(
    body=st.one_of(
        INVALID_BODIES,
        REVIEW_BODIES,
    ),
    tip_id=st.one_of(st.sampled_from(["t1", "..", "%2e%2e", "x" * 500]),
                     st.text(alphabet="abc-_.%~", min_size=1, max_size=20)),
)
def test_tip_review_with_arbitrary_bodies(app: Api, body: Any, tip_id: str) -> None:
    request = _json_or_raw(body)
    request["headers"].update(app.admin_headers())
    response = app.client.post(f"/v1/tips/{tip_id}/review", **request)
    assert_clean_response(response, allowed={400, 404, 405, 413, 422})


UPLOAD_NAMES = st.one_of(
    st.sampled_from(["a.txt", "b.md", "c.json"]),
    st.sampled_from(["notes.md", "talk.vtt", "talk.srt", "talk.txt", "t.json", "t.markdown",
                     "../../etc/passwd.txt", "C:\\x\\y.vtt", ".hidden.md", "a.pdf", "", "noext",
                     "é😀.txt", "a" * 300 + ".txt", "x.TXT", "nul\x00.txt", ".txt"]),
    st.text(max_size=30).map(lambda stem: stem + ".txt"),
)
UPLOAD_CONTENT = st.one_of(
    st.binary(max_size=500),
    st.sampled_from([b"Ann: Hello there.\n", b"# Notes\n\nKeep it short.\n",
                     b'{"turns": [{"speaker": "Ann", "text": "Hi."}]}']),
    vtt_files().map(str.encode),
    srt_files().map(str.encode),
    plaintext_files().map(str.encode),
    markdown_files().map(str.encode),
)


@settings(FUZZ, max_examples=40)
@given(name=UPLOAD_NAMES, content=UPLOAD_CONTENT,
       sidecar=st.one_of(st.none(), st.binary(max_size=100),
                         st.sampled_from([b"title: x\n", b"consent: maybe\n", b"\x1b"])))
def test_upload_with_arbitrary_files(app: Api, name: str, content: bytes,
                                     sidecar: bytes | None) -> None:
    files: dict[str, Any] = {"file": (name, content)}
    if sidecar is not None:
        files["metadata"] = ("meta.yaml", sidecar)
    response = app.client.post("/v1/sessions", files=files, headers=app.admin_headers())
    # 409: the name already holds another session (a JSON id that differs from it).
    assert_clean_response(response, allowed={200, 201, 409, 413, 415, 422})


@settings(FUZZ, max_examples=60)
@given(
    content_type=st.sampled_from(["multipart/form-data", "multipart/form-data; boundary=x",
                                  "application/json", "text/plain", "", "multipart/mixed"]),
    body=st.one_of(st.binary(max_size=300), st.sampled_from([
        b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n",
        b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
        b"Ann: hi\r\n--x--\r\n",
        b"--x\r\n" * 1000, b"--x--\r\n",
    ])),
)
def test_upload_with_malformed_multipart(app: Api, content_type: str, body: bytes) -> None:
    headers = app.admin_headers()
    if content_type:
        headers["Content-Type"] = content_type
    response = app.client.post("/v1/sessions", content=body, headers=headers)
    assert_clean_response(response, allowed={200, 201, 400, 413, 415, 422})
