"""Summaries over HTTP (admin keys only) and on the command line, with consent enforced."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from companion.auth.keys import KeyStore
from companion.core.errors import InputError
from companion.faces.api.app import create_app

pytestmark = pytest.mark.slow

SESSION = "2025-09-working-with-ministers-first-hundred-days"
PRIVATE = "2026-11-restructure-listening-session"
ORIGIN = "https://intranet.example"


@pytest.fixture
def client_and_keys(samples_ctx):
    keys = KeyStore(samples_ctx.catalog)
    admin = {"Authorization": f"Bearer {keys.create('admin').key}"}
    widget = {"Authorization": f"Bearer {keys.create('widget', origins=[ORIGIN]).key}",
              "Origin": ORIGIN}
    with TestClient(create_app(ctx=samples_ctx)) as client:
        yield client, admin, widget


def test_session_summary_json_and_markdown(client_and_keys):
    client, admin, widget = client_and_keys
    r = client.get(f"/v1/sessions/{SESSION}/summary", headers=admin)
    assert r.status_code == 200
    body = r.json()
    assert body["session_id"] == SESSION and body["overview"] and body["action_items"]
    assert set(body["action_items"][0]) == {"who", "what", "when", "citations"}

    r = client.get(f"/v1/sessions/{SESSION}/summary?format=md", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert r.text.startswith("# Working with ministers - the first hundred days")
    assert client.get(f"/v1/sessions/{SESSION}/summary").status_code == 401


def test_widget_keys_get_no_summaries(client_and_keys):
    client, admin, widget = client_and_keys
    for url in (f"/v1/sessions/{SESSION}/summary", "/v1/series/Working with ministers/digest",
                "/v1/open-questions"):
        r = client.get(url, headers=widget)
        assert r.status_code == 403, url
        assert r.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/sessions/{PRIVATE}/summary", headers=admin).json()["consent"] is False


def test_series_digest_leaves_out_private_sessions_unless_asked(client_and_keys):
    client, admin, widget = client_and_keys
    url = "/v1/series/Wellbeing and change/digest"
    shown = [s["session_id"] for s in client.get(url, headers=admin).json()["sessions"]]
    assert shown == ["2026-03-resilience-during-restructure"]
    full = client.get(url + "?include_private=true", headers=admin).json()["sessions"]
    assert PRIVATE in [s["session_id"] for s in full]
    assert client.get("/v1/series/Nope/digest", headers=admin).status_code == 404


def test_cli_summarise_json_markdown_and_errors(samples_ctx, monkeypatch):
    from companion.faces.cli import _register, app

    _register()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(samples_ctx.settings.data_dir))
    runner = CliRunner()
    r = runner.invoke(app, ["summarise", SESSION, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["session_id"] == SESSION
    r = runner.invoke(app, ["summarise", SESSION])
    assert r.exit_code == 0 and "\n## Actions\n" in r.output
    r = runner.invoke(app, ["summarise", SESSION, "--series", "Working with ministers"])
    assert isinstance(r.exception, InputError)
    r = runner.invoke(app, ["summarise", "--series", "Working with ministers", "--since", "2026"])
    assert isinstance(r.exception, InputError) and "YYYY-MM-DD" in r.exception.detail
