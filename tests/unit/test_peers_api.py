"""Peers over HTTP: widget and admin keys suggest peers; only admins list people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from companion.app import build_pipeline
from companion.auth.keys import KeyStore
from companion.faces.api import create_app
from companion.features.people import PeopleDirectory, load_people_file

pytestmark = pytest.mark.slow

ORIGIN = "https://intranet.example"
WORKSHOP = "\n".join([
    "[00:00:05] Amara Okafor: When I write a submission, I put the decision the minister must"
    " take in the first line.",
    "[00:00:20] Tom Reyes: How long should a submission to a new minister be?",
    "[00:00:30] Amara Okafor: What I do is keep a submission to two pages and move the"
    " background into an annex.",
    "[00:00:45] Priya Raman: I always read a draft submission on my phone to check the first"
    " line says what we need.",
]) + "\n"
PEOPLE = """\
people:
  - {id: amara, name: Dr Amara Okafor, aliases: [Amara Okafor], recommendable: true}
  - {id: tom, name: Tom Reyes, recommendable: true}
  - {id: priya, name: Priya Raman, recommendable: false}
"""


@pytest.fixture
def api(ctx, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "workshop.txt").write_text(WORKSHOP, encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    keys = KeyStore(ctx.catalog)
    admin = {"Authorization": f"Bearer {keys.create('admin', name='admin').key}"}
    widget = {"Authorization": f"Bearer {keys.create('widget', [ORIGIN], name='w').key}",
              "Origin": ORIGIN}
    with TestClient(create_app(ctx=ctx)) as client:
        yield client, admin, widget


def test_widget_key_gets_suggestions_in_the_cli_json_shape(api):
    client, _admin, widget = api
    body = {"topic": "writing a submission for a new minister"}
    assert client.post("/v1/peers", json=body).status_code == 401
    res = client.post("/v1/peers", json=body, headers=widget)
    assert res.status_code == 200, res.text
    rows = res.json()
    assert [r["person_id"] for r in rows][0] == "amara"
    assert "priya" not in [r["person_id"] for r in rows]  # opted out
    assert set(rows[0]) == {"person_id", "name", "role", "team", "contact", "score", "reason",
                            "evidence"}
    assert set(rows[0]["evidence"][0]) == {"session_id", "speaker", "start", "end",
                                           "turn_start", "turn_end", "quote", "session_title",
                                           "url"}
    assert "sig=" in rows[0]["evidence"][0]["url"]


def test_exclude_limit_nobody_and_bad_requests(api):
    client, admin, _widget = api
    topic = "writing a submission for a new minister"
    rows = client.post("/v1/peers", json={"topic": topic, "exclude": "Amara Okafor"},
                       headers=admin).json()
    assert "amara" not in [r["person_id"] for r in rows]
    assert client.post("/v1/peers", json={"topic": "tuning a racing bicycle gearbox"},
                       headers=admin).json() == []
    res = client.post("/v1/peers", json={"topic": topic, "exclude": "Nobody"}, headers=admin)
    assert res.status_code == 422 and "no person" in res.json()["detail"]
    assert client.post("/v1/peers", json={"topic": ""}, headers=admin).status_code == 422
    assert client.post("/v1/peers", json={"topic": topic, "limit": 0},
                       headers=admin).status_code == 422


def test_people_list_is_admin_only(api):
    client, admin, widget = api
    assert client.get("/v1/people", headers=widget).status_code == 403
    people = client.get("/v1/people", headers=admin).json()
    assert [p["id"] for p in people] == ["amara", "priya", "tom"]
