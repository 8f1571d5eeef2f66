"""Rate limits, body and question size limits, and problem+json for every error."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.support import Api, assert_problem

QUESTION = {"question": "How long should a submission to a minister be?"}


def test_rate_limit_per_client_address_gives_429_with_retry_after(make_api):
    api: Api = make_api(rate_limit_per_minute=1, rate_limit_burst=3)
    codes = [api.client.post("/v1/ask", json=QUESTION, headers=api.widget_headers()).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = api.client.get("/v1/sessions", headers=api.admin_headers())
    body = assert_problem(r, 429)  # the address is limited whatever key it uses
    assert int(r.headers["retry-after"]) >= 1 and "address" in body["detail"]
    assert api.client.get("/healthz").status_code == 200  # probes are not limited


def test_rate_limit_per_key_across_addresses(make_api):
    api: Api = make_api(key_rate_limit_per_minute=1, key_rate_limit_burst=2)
    others = [TestClient(api.client.app, client=(f"10.0.0.{i}", 1000)) for i in range(3)]
    codes = [c.get("/v1/sessions", headers=api.admin_headers()).status_code for c in others]
    assert codes == [200, 200, 429]
    r = others[0].get("/v1/sessions", headers=api.admin_headers())
    assert "key" in assert_problem(r, 429)["detail"] and r.headers["retry-after"]


def test_body_over_the_limit_gets_413_by_content_length(api: Api):
    big = b'{"question": "' + b"x" * 5_000_000 + b'"}'
    r = api.client.post("/v1/ask", content=big,
                        headers=api.admin_headers(**{"Content-Type": "application/json"}))
    assert_problem(r, 413)


def test_streamed_body_over_the_limit_gets_413(make_api):
    api: Api = make_api(max_body_bytes=10_000)

    def chunks():  # no Content-Length: the bytes are counted as they arrive
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    r = api.client.post("/v1/ask", content=chunks(),
                        headers=api.admin_headers(**{"Content-Type": "application/json"}))
    assert_problem(r, 413)


def test_question_too_long_is_a_422_problem(make_api):
    api: Api = make_api(max_question_chars=50)
    body = assert_problem(api.client.post("/v1/ask", json={"question": "why " * 40},
                                          headers=api.admin_headers()), 422)
    assert "limit is 50" in body["detail"]


def test_bad_types_and_bad_json_are_422_problems(api: Api):
    c, h = api.client, api.admin_headers()
    body = assert_problem(c.post("/v1/ask", json={"question": 42}, headers=h), 422)
    assert body["detail"].startswith("question:") and body["errors"][0]["loc"] == "question"
    assert_problem(c.post("/v1/ask", json={}, headers=h), 422)
    assert_problem(c.post("/v1/ask", json={"question": "ok", "filters": {"since": "soon"}},
                          headers=h), 422)
    assert_problem(c.post("/v1/ask", json={"question": "ok", "filters": {"colour": "red"}},
                          headers=h), 422)
    assert_problem(c.post("/v1/ask", content=b"{not json",
                          headers={**h, "Content-Type": "application/json"}), 422)


def test_unknown_route_and_method_are_problems(api: Api):
    body = assert_problem(api.client.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"
    assert_problem(api.client.put("/v1/ask", headers=api.admin_headers()), 405)


def test_unexpected_errors_are_a_generic_500_without_internals(make_api, monkeypatch):
    api: Api = make_api(raise_server_exceptions=False)

    def boom(*args, **kwargs):
        raise RuntimeError("internal detail /secret/path")

    monkeypatch.setattr(api.ctx.retriever, "retrieve", boom)
    r = api.client.post("/v1/ask", json=QUESTION, headers=api.admin_headers())
    body = assert_problem(r, 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert body["detail"] == "the companion hit an unexpected error; it has been logged"
