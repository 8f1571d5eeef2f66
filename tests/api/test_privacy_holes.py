"""Issue 22: privacy and security holes found by probing the running service (HTTP level)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from api.support import ORIGIN, Api, assert_problem
from companion.features.people import PeopleDirectory, load_people_file

PEOPLE = """\
people:
  - {id: amara-okafor, name: Amara Okafor, recommendable: true}
  - {id: tom-reyes, name: Tom Reyes, recommendable: true}
"""


def _upload(api: Api, name: str, content: bytes, sidecar: bytes | None = None) -> object:
    files = {"file": (name, content)}
    if sidecar is not None:
        files["metadata"] = (Path(name).stem + ".yaml", sidecar)
    return api.client.post("/v1/sessions", files=files, headers=api.admin_headers())


# -- item 1 ------------------------------------------------------------------------------------


def test_feedback_still_lists_after_forget_redacts_a_row(api: Api, tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(api.ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    quote = "Put the decision you need in the first line of the submission."
    for citation in (quote, None):
        r = api.client.post("/v1/feedback", headers=api.widget_headers(), json={
            "kind": "wrong_citation", "answer": quote, "citation": citation})
        assert r.status_code == 201, r.text
    assert api.client.delete("/v1/people/amara-okafor", headers=api.admin_headers()).is_success
    r = api.client.get("/v1/feedback", headers=api.admin_headers())
    assert r.status_code == 200, r.text
    assert quote not in r.text


# -- item 2 ------------------------------------------------------------------------------------


def test_deleting_a_session_removes_its_uploaded_file(api: Api) -> None:
    r = _upload(api, "talk.txt", b"[00:00:05] Tom Reyes: Keep the annex short and factual.\n",
                b"consent: true\n")
    assert r.status_code == 201, r.text
    uploads = api.ctx.settings.data_dir / "uploads"
    assert (uploads / "talk.txt").exists() and (uploads / "talk.yaml").exists()
    assert api.client.delete("/v1/sessions/talk", headers=api.admin_headers()).status_code == 204
    assert not (uploads / "talk.txt").exists() and not (uploads / "talk.yaml").exists()


# -- item 5 ------------------------------------------------------------------------------------


def test_a_loopback_client_cannot_pick_its_address_with_x_forwarded_for(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(client_address="127.0.0.1", rate_limit_burst=3, rate_limit_per_minute=1)
    codes = [api.client.get("/v1/tips?limit=1", headers=api.admin_headers(
        **{"X-Forwarded-For": f"10.9.0.{i}"})).status_code for i in range(6)]
    assert 429 in codes, codes


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_limited(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(client_address="10.0.0.1", trusted_proxies=["10.0.0.0/24"],
                   rate_limit_burst=2, rate_limit_per_minute=1)

    def get(forwarded: str) -> int:
        return api.client.get("/v1/tips?limit=1", headers=api.admin_headers(
            **{"X-Forwarded-For": forwarded})).status_code

    # Different clients behind the proxy each get their own budget...
    assert [get(f"203.0.113.{i}, 10.0.0.7") for i in range(6)] == [200] * 6
    # ...and what a client writes at the left of the header does not give it a new one.
    codes = [get(f"6.6.6.{i}, 198.51.100.9") for i in range(4)]
    assert codes[:2] == [200, 200] and 429 in codes[2:], codes


def test_trusted_proxies_setting_reads_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from companion.core.settings import Settings

    assert Settings().api.trusted_proxies == []
    monkeypatch.setenv("COMPANION_API__TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16")
    assert Settings().api.trusted_proxies == ["10.0.0.1", "10.1.0.0/16"]


# -- item 6 ------------------------------------------------------------------------------------


def test_public_pages_have_a_per_address_rate_limit(make_api: Callable[..., Api]) -> None:
    api = make_api(rate_limit_burst=2, rate_limit_per_minute=1)
    pages = ["/tips", "/tips?topic=submissions", "/widget/config", "/demo", "/readyz"]
    assert [api.client.get(p).status_code for p in ("/widget/config", "/demo")] == [200, 200]
    for page in pages:
        r = api.client.get(page)
        assert r.status_code == 429, (page, r.status_code)
        assert "Retry-After" in r.headers
    assert api.client.get("/healthz").status_code == 200  # the liveness probe stays open


# -- item 8 ------------------------------------------------------------------------------------


def test_every_feedback_field_has_a_length_limit(api: Api) -> None:
    h = api.widget_headers()
    big = {"kind": "wrong_citation", "answer": "x", "citation": "y" * 900_000}
    assert api.client.post("/v1/feedback", json=big, headers=h).status_code in (413, 422)
    structured = {"session_id": "s", "session_title": "t", "speaker": None, "start": None,
                  "end": None, "turn_start": 0, "turn_end": 0, "quote": "q" * 50_000}
    r = api.client.post("/v1/feedback", headers=h,
                        json={"kind": "wrong_citation", "citation": structured})
    assert_problem(r, 422)
    ok = dict(structured, quote="A normal quoted sentence.")
    r = api.client.post("/v1/feedback", headers=h, json={"kind": "wrong_citation", "citation": ok})
    assert r.status_code == 201, r.text


# -- item 9 ------------------------------------------------------------------------------------


def test_demo_does_not_reflect_host_and_embeds_only_widget_keys(api: Api) -> None:
    r = api.client.get(f"/demo?key={api.widget}", headers={"Host": "evil.example"})
    assert r.status_code == 200
    assert b"evil.example" not in r.content
    assert '<script src="/widget.js"' in r.text and api.widget in r.text
    r = api.client.get(f"/demo?key={api.admin}")
    assert r.status_code == 403 and api.admin not in r.text
    r = api.client.get("/demo?key=lc_not_a_key")
    assert r.status_code == 401 and "lc_not_a_key" not in r.text


def test_demo_page_can_be_turned_off(make_api: Callable[..., Api]) -> None:
    api = make_api(demo_page=False)
    assert_problem(api.client.get(f"/demo?key={api.widget}"), 404)


def test_access_log_does_not_record_key_values(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    # uvicorn's access-log call, as it logs `GET /demo?key=...`.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/demo?key={api.widget}&x=1",
        "1.1", 200,
    )
    assert "/demo?key=[redacted]&x=1" in caplog.text
    assert api.widget not in caplog.text


# -- item 11 -----------------------------------------------------------------------------------


def test_an_upload_that_would_overwrite_another_sessions_file_is_a_409(api: Api) -> None:
    def doc(session_id: str) -> bytes:
        return json.dumps({"id": session_id, "title": session_id, "consent": True, "turns": [
            {"speaker": "Tom Reyes", "text": f"Words of {session_id} session."}]}).encode()

    assert _upload(api, "notes.json", doc("alpha")).status_code == 201
    body = assert_problem(_upload(api, "notes.json", doc("beta")), 409)
    assert "alpha" in body["detail"] and "beta" in body["detail"]
    nul = json.dumps({"title": "t", "turns": [{"speaker": "A", "text": "a\u0000b"}]}).encode()
    body = assert_problem(_upload(api, "nul.json", nul), 422)
    assert "NUL" in body["detail"]


# -- item 7 ------------------------------------------------------------------------------------


def test_an_upload_without_consent_is_not_shown_to_widget_keys(api: Api) -> None:
    r = _upload(api, "ledger.txt",
                b"[00:00:05] Tom Reyes: The Ledger model reruns every night at nine.\n")
    assert r.status_code == 201, r.text
    q = {"question": "When does the Ledger model rerun?"}
    widget = api.client.post("/v1/ask", json=q, headers=api.widget_headers()).json()
    assert all(c["session_id"] != "ledger" for c in widget["citations"])
    admin = api.client.post("/v1/ask", headers=api.admin_headers(),
                            json={**q, "filters": {"include_private": True}}).json()
    assert any(c["session_id"] == "ledger" for c in admin["citations"])


# -- item 12 -----------------------------------------------------------------------------------


def test_key_creation_and_revocation_over_http_are_audited(api: Api) -> None:
    r = api.client.post("/v1/keys", headers=api.admin_headers(),
                        json={"scope": "widget", "origins": [ORIGIN], "name": "new site"})
    assert r.status_code == 201, r.text
    key_id = r.json()["id"]
    assert api.client.delete(f"/v1/keys/{key_id}", headers=api.admin_headers()).status_code == 204
    log = api.client.get("/v1/audit?limit=5", headers=api.admin_headers()).json()
    assert [(e["action"], e["target"]) for e in log[:2]] == [
        ("key.revoked", f"key:{key_id}"), ("key.created", f"key:{key_id}")]
    assert log[1]["actor"].startswith("key:tests(") and r.json()["key"] not in json.dumps(log)


def test_a_question_of_only_zero_width_characters_is_empty(api: Api) -> None:
    r = api.client.post("/v1/ask", json={"question": "\u200b\u200c\u200d\u2060\ufeff"},
                        headers=api.widget_headers())
    body = assert_problem(r, 422)
    assert "empty" in body["detail"]
