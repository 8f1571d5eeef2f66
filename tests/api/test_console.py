"""The facilitator console: admin sign-in to a cookie session, CSRF on forms, moderation."""

from __future__ import annotations

import re

from api.support import Api


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _sign_in(api: Api, key: str) -> object:
    form = api.client.get("/console")
    return api.client.post("/console/sign-in", data={"key": key, "csrf": _csrf(form.text)},
                           follow_redirects=False)


def test_widget_key_cannot_sign_in_and_admin_gets_a_strict_cookie(api: Api):
    assert _sign_in(api, api.widget).status_code == 401
    r = _sign_in(api, api.admin)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and api.admin not in cookie
    home = api.client.get("/console")
    assert "<svg" in home.text and "Questions per week" in home.text


def test_moderation_needs_the_csrf_token(api: Api):
    _sign_in(api, api.admin)
    queue = api.client.get("/console/tips")
    tip_id = re.search(r'action="/console/tips/([^"]+)"', queue.text).group(1)
    forged = api.client.post(f"/console/tips/{tip_id}", data={"action": "approve",
                             "csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    done = api.client.post(f"/console/tips/{tip_id}", data={"action": "approve",
                           "csrf": _csrf(queue.text)}, follow_redirects=False)
    assert done.status_code == 303
    tip = api.client.get(f"/v1/tips/{tip_id}", headers=api.admin_headers()).json()
    assert tip["status"] == "approved"


def test_feedback_inbox_resolves_and_signed_out_posts_go_nowhere(api: Api):
    api.client.post("/v1/feedback", json={"kind": "wrong_citation", "question": "Q?",
                                          "comment": "the quote is wrong"},
                    headers=api.widget_headers())
    r = api.client.post("/console/feedback/1/resolve", data={"csrf": "x"},
                        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console"
    _sign_in(api, api.admin)
    inbox = api.client.get("/console/feedback")
    assert "the quote is wrong" in inbox.text
    api.client.post("/console/feedback/1/resolve", data={"csrf": _csrf(inbox.text)})
    assert "the quote is wrong" not in api.client.get("/console/feedback").text
