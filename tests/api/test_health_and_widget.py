"""Health probes, the widget script and config, and the demo page."""

from __future__ import annotations

from api.support import Api, assert_problem


def test_healthz_and_readyz(api: Api):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"catalog": "ok", "vectors": "ok", "model": "ok"}


def test_readyz_is_503_when_a_store_is_down(api: Api, monkeypatch):
    def down() -> bool:
        raise ConnectionError("chroma unreachable")

    monkeypatch.setattr(api.ctx.vectors, "heartbeat", down)
    body = assert_problem(api.client.get("/readyz"), 503)
    assert body["detail"] == "not ready: vectors failed (ConnectionError)"
    assert api.client.get("/healthz").status_code == 200


def test_widget_script_and_config_are_public(api: Api):
    r = api.client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in r.text and "data-key" in r.text
    config = api.client.get("/widget/config").json()
    assert set(config["features"]) == {"tips", "peers", "summaries", "loop"}
    assert config["max_question_chars"] == 1000


def test_demo_page_embeds_the_widget_with_the_key_escaped(api: Api):
    page = api.client.get("/demo", params={"key": api.widget})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'data-key="{api.widget}"' in page.text and "/widget.js" in page.text
    # Not a key: refused without echoing it (only an active widget key is embedded).
    hostile = api.client.get("/demo", params={"key": '"><script>alert(1)</script>'})
    assert hostile.status_code == 401 and "alert(1)" not in hostile.text
    bare = api.client.get("/demo").text
    assert "companion keys create --scope widget" in bare and "<script src=" not in bare


def test_openapi_docs_list_the_endpoints(api: Api):
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/sessions", "/v1/sessions/{session_id}", "/v1/feedback",
            "/healthz", "/readyz"} <= set(paths)
