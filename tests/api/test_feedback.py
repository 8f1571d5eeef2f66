"""Feedback is kept in the catalog and listed for admins only."""

from __future__ import annotations

from api.support import ORIGIN, Api, assert_problem


def test_feedback_is_stored_and_listed_for_admins(api: Api):
    c = api.client
    answer = c.post("/v1/ask", json={"question": "How long should a submission be?"},
                    headers=api.widget_headers()).json()
    citation = answer["citations"][0]
    r = c.post("/v1/feedback", headers=api.widget_headers(), json={
        "kind": "wrong_citation", "question": answer["question"], "answer": answer["answer"],
        "citation": citation, "url": "https://intranet.example/learning",
        "comment": "wrong speaker",
    })
    assert r.status_code == 201, r.text
    assert c.post("/v1/feedback", json={"kind": "helpful"},
                  headers=api.widget_headers()).status_code == 201
    assert c.post("/v1/feedback", json={"kind": "broken_link", "url": "https://x.example/404"},
                  headers=api.admin_headers()).status_code == 201

    listed = c.get("/v1/feedback", headers=api.admin_headers()).json()
    assert [f["kind"] for f in listed] == ["broken_link", "helpful", "wrong_citation"]
    wrong = listed[2]
    assert wrong["citation"] == citation and wrong["comment"] == "wrong speaker"
    assert wrong["origin"] == ORIGIN and wrong["key_id"].startswith("key_")
    only = c.get("/v1/feedback?kind=helpful", headers=api.admin_headers()).json()
    assert [f["kind"] for f in only] == ["helpful"]
    assert_problem(c.get("/v1/feedback", headers=api.widget_headers()), 403)


def test_feedback_is_validated(api: Api):
    c = api.client
    h = api.widget_headers()
    assert_problem(c.post("/v1/feedback", json={"kind": "love it"}, headers=h), 422)
    assert_problem(c.post("/v1/feedback", json={"kind": "other", "comment": "x" * 5000},
                          headers=api.widget_headers()), 422)
    assert_problem(c.post("/v1/feedback", json={"kind": "other"}), 401)
