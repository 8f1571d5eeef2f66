"""Widget keys on their own server's pages, learner-question insights, offline API docs."""

from __future__ import annotations

import re

from api.support import Api, assert_problem

OFF_TOPIC = "What is the boiling point of tungsten in kelvin?"


def test_same_origin_get_without_origin_header_uses_the_servers_own_origin(api: Api):
    own = api.keys.create("widget", ["http://testserver"], name="demo").key
    bearer = {"Authorization": f"Bearer {own}"}
    assert api.client.get("/v1/tips", headers=bearer).status_code == 200
    # a browser on another site always says so: no loosening for cross-site requests
    cross = api.client.get("/v1/tips", headers={**bearer, "Sec-Fetch-Site": "cross-site"})
    assert_problem(cross, 403)
    # a key for another origin still needs its Origin
    assert_problem(api.client.get("/v1/tips", headers={"Authorization": f"Bearer {api.widget}"}),
                   403)


def test_unanswered_widget_questions_appear_in_insights(api: Api):
    for _ in range(2):
        api.client.post("/v1/ask", json={"question": OFF_TOPIC}, headers=api.widget_headers())
    api.client.post("/v1/ask", json={"question": "How long should a submission be?"},
                    headers=api.widget_headers())
    assert_problem(api.client.get("/v1/insights", headers=api.widget_headers()), 403)
    report = api.client.get("/v1/insights", headers=api.admin_headers()).json()
    unanswered = {u["question"]: u for u in report["unanswered"]}
    assert unanswered[OFF_TOPIC]["count"] == 2 and unanswered[OFF_TOPIC]["last_asked"]
    assert report["total"] == 3 and report["answered"] == 1
    assert sum(w["asked"] for w in report["weekly"]) == 3


def test_feedback_is_linked_to_the_question_it_was_about(api: Api):
    api.client.post("/v1/ask", json={"question": OFF_TOPIC}, headers=api.widget_headers())
    api.client.post("/v1/feedback", json={"kind": "not_helpful", "question": OFF_TOPIC},
                    headers=api.widget_headers())
    report = api.client.get("/v1/insights", headers=api.admin_headers()).json()
    assert report["feedback"] == {"not_helpful": 1}


def test_docs_load_no_external_asset_and_openapi_has_security(api: Api):
    for page in ("/docs", "/redoc"):
        body = api.client.get(page).text
        assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)[^\"' ]+\.(js|css)", body)
        for src in re.findall(r'src="([^"]+\.js)"', body):
            assert api.client.get(src).status_code == 200
    spec = api.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    ask = spec["paths"]["/v1/ask"]["post"]
    assert {"401", "403", "413", "422", "429"} <= set(ask["responses"])
    assert "application/problem+json" in ask["responses"]["429"]["content"]
