"""Keys, scopes, origins and CORS: who may call what, from where."""

from __future__ import annotations

from api.support import ORIGIN, Api, assert_problem

QUESTION = {"question": "How long should a submission to a minister be?"}


def test_missing_invalid_and_revoked_keys_get_401_problems(api: Api):
    c = api.client
    body = assert_problem(c.post("/v1/ask", json=QUESTION), 401)
    assert "API key" in body["detail"]
    r = c.post("/v1/ask", json=QUESTION, headers={"Authorization": "Bearer lc_not-a-real-key"})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"

    created = api.keys.create("admin", name="short-lived")
    headers = {"Authorization": f"Bearer {created.key}"}
    assert c.get("/v1/sessions", headers=headers).status_code == 200
    api.keys.revoke(created.id)
    assert_problem(c.get("/v1/sessions", headers=headers), 401)  # at once, no cache


def test_x_api_key_header_is_accepted(api: Api):
    assert api.client.get("/v1/sessions", headers={"X-API-Key": api.admin}).status_code == 200


def test_keys_are_stored_hashed(api: Api):
    rows = api.ctx.catalog.conn.execute("SELECT * FROM api_keys").fetchall()
    stored = " ".join(str(v) for row in rows for v in tuple(row))
    assert api.admin not in stored and api.widget not in stored


def test_widget_keys_are_refused_on_admin_endpoints(api: Api):
    c = api.client
    for method, path in [("GET", "/v1/sessions"), ("GET", "/v1/sessions/submissions-workshop"),
                         ("DELETE", "/v1/sessions/submissions-workshop"), ("GET", "/v1/feedback"),
                         ("GET", "/v1/keys"), ("POST", "/v1/sessions")]:
        body = assert_problem(c.request(method, path, headers=api.widget_headers()), 403)
        assert "admin key" in body["detail"]
    assert [s["id"] for s in c.get("/v1/sessions", headers=api.admin_headers()).json()]


def test_widget_keys_only_work_from_their_origins(api: Api):
    c = api.client
    assert_problem(c.post("/v1/ask", json=QUESTION,
                          headers=api.widget_headers(origin="https://evil.example")), 403)
    # Without an Origin header the request counts as from this server's own origin (a browser's
    # same-origin GET), which this key does not list; a cross-site fetch without one is refused.
    no_origin = {"Authorization": f"Bearer {api.widget}"}
    assert "origin http://testserver" in assert_problem(
        c.post("/v1/ask", json=QUESTION, headers=no_origin), 403)["detail"]
    cross = {**no_origin, "Sec-Fetch-Site": "cross-site"}
    assert "without an Origin" in assert_problem(
        c.post("/v1/ask", json=QUESTION, headers=cross), 403)["detail"]
    r = c.post("/v1/ask", json=QUESTION, headers=api.widget_headers())
    assert r.status_code == 200 and r.json()["citations"]
    # Browsers omit default ports; a trailing slash or case difference is the same origin too.
    same = api.widget_headers(origin="https://INTRANET.example:443")
    assert c.post("/v1/ask", json=QUESTION, headers=same).status_code == 200


def test_cors_answers_only_origins_of_active_widget_keys(api: Api):
    c = api.client
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    ok = c.options("/v1/ask", headers={"Origin": ORIGIN, **preflight})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert "Authorization" in ok.headers["access-control-allow-headers"]

    evil = c.options("/v1/ask", headers={"Origin": "https://evil.example", **preflight})
    assert_problem(evil, 403)
    assert "access-control-allow-origin" not in evil.headers

    answered = c.post("/v1/ask", json=QUESTION, headers=api.widget_headers())
    assert answered.headers["access-control-allow-origin"] == ORIGIN
    refused = c.post("/v1/ask", json=QUESTION, headers=api.widget_headers("https://evil.example"))
    assert "access-control-allow-origin" not in refused.headers
    # Errors from an allowed origin carry CORS headers too, so the widget can show the detail.
    assert c.post("/v1/ask", json=QUESTION,
                  headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == ORIGIN


def test_revoked_widget_key_stops_cors_once_the_admin_api_revokes_it(api: Api):
    c = api.client
    widget_id = next(k.id for k in api.keys.list() if k.scope == "widget")
    r = c.delete(f"/v1/keys/{widget_id}", headers=api.admin_headers())
    assert r.status_code == 204
    assert_problem(c.post("/v1/ask", json=QUESTION, headers=api.widget_headers()), 401)
    pre = c.options("/v1/ask", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert_problem(pre, 403)


def test_admin_api_creates_keys_shown_once(api: Api):
    c = api.client
    r = c.post("/v1/keys", json={"scope": "widget", "origins": ["https://other.example/"]},
               headers=api.admin_headers())
    assert r.status_code == 201
    created = r.json()
    assert created["origins"] == ["https://other.example"] and created["key"].startswith("lc_")
    listed = c.get("/v1/keys", headers=api.admin_headers()).json()
    assert created["id"] in {k["id"] for k in listed}
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert_problem(c.post("/v1/keys", json={"scope": "widget"}, headers=api.admin_headers()), 422)
    assert_problem(c.delete("/v1/keys/key_nope", headers=api.admin_headers()), 404)
