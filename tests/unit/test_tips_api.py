"""Tips over HTTP: reader and admin keys, permalink pages, redirects for merged tips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from companion.app import build_pipeline
from companion.auth.keys import KeyStore
from companion.faces.api import create_app
from companion.features.tips.registry import TipRegistry
from companion.features.tips.views import TipViews

pytestmark = pytest.mark.slow

ORIGIN = "https://intranet.example"
SHARED = """\
[00:00:05] Amara Okafor: Put the recommendation in the first paragraph of the submission.
[00:00:20] Tom Reyes: Keep a done list of everything your team delivered each week.
"""
AGAIN = """\
[00:00:05] Marcus Bell: Make sure the recommendation is in the first paragraph of every submission.
"""
PRIVATE = """\
[00:00:05] Siobhan Kerr: Book a weekly walk with someone from outside your own team.
[00:00:20] Siobhan Kerr: Put the recommendation in the first paragraph of the submission.
"""


class Client:
    def __init__(self, client: TestClient, admin: str, widget: str) -> None:
        self.http, self.admin, self.widget = client, admin, widget

    def as_widget(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.widget}", "Origin": ORIGIN}

    def as_admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


@pytest.fixture
def api(ctx, tmp_path: Path) -> Iterator[Client]:
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "workshop.txt").write_text(SHARED, encoding="utf-8")
    (folder / "panel.txt").write_text(AGAIN, encoding="utf-8")
    (folder / "listening.txt").write_text(PRIVATE, encoding="utf-8")
    (folder / "listening.yaml").write_text("title: Listening\nconsent: false\n", encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    keys = KeyStore(ctx.catalog)
    admin = keys.create("admin", name="facilitator").key
    widget = keys.create("widget", [ORIGIN], name="intranet").key
    with TestClient(create_app(ctx=ctx)) as client:
        yield Client(client, admin, widget)


def test_widget_and_admin_keys_read_ranked_tips(api):
    assert api.http.get("/v1/tips").status_code == 401
    rows = api.http.get("/v1/tips", headers=api.as_widget()).json()
    assert rows[0]["support"] == {"sessions": 2, "speakers": 2}
    assert all(q["session_id"] != "listening" for r in rows for q in r["quotes"])
    def unlinked(tips):  # links differ by key: each carries a token for the key that asked
        return [{**t, "quotes": [{**q, "url": None} for q in t["quotes"]]} for t in tips]

    admin_rows = api.http.get("/v1/tips?limit=1", headers=api.as_admin()).json()
    assert unlinked(admin_rows) == unlinked(rows[:1])
    assert all(q["url"] and q["session_title"] for r in rows for q in r["quotes"])
    one = api.http.get(f"/v1/tips/{rows[0]['id']}", headers=api.as_widget()).json()
    assert one["id"] == rows[0]["id"] and one["history"][0]["action"] == "created"


def test_review_is_admin_only_and_merged_ids_redirect(api, ctx):
    rows = api.http.get("/v1/tips", headers=api.as_admin()).json()
    survivor, other = rows[0]["id"], rows[1]["id"]
    body = {"action": "merge", "other_id": other}
    assert api.http.post(f"/v1/tips/{survivor}/review", json=body,
                         headers=api.as_widget()).status_code == 403
    done = api.http.post(f"/v1/tips/{survivor}/review", json=body, headers=api.as_admin())
    assert done.status_code == 200 and done.json()["merged_from"] == [other]
    assert done.json()["history"][-1]["by"] == "facilitator"

    moved = api.http.get(f"/v1/tips/{other}", headers=api.as_widget(), follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"].endswith(f"/v1/tips/{survivor}")
    page = api.http.get(f"/tips/{other}", follow_redirects=False)
    assert page.status_code == 308 and page.headers["location"].endswith(f"/tips/{survivor}")
    assert TipViews(ctx).resolve(other) == survivor

    missing = api.http.get("/v1/tips/tip-nope", headers=api.as_admin())
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_permalink_pages_are_public_readable_and_hide_private_quotes(api, ctx):
    listing = api.http.get("/tips")
    assert listing.status_code == 200 and listing.headers["content-type"].startswith("text/html")
    assert "first paragraph" in listing.text and "weekly walk" not in listing.text
    assert "Siobhan" not in listing.text

    tip = TipViews(ctx).list_tips()[0]
    TipRegistry(ctx).review(tip.id, "edit", by="jo", text="Lead with the <ask>")
    page = api.http.get(f"/tips/{tip.id}")
    assert page.status_code == 200
    assert "Lead with the &lt;ask&gt;" in page.text  # escaped, never raw HTML
    assert "Marcus Bell" in page.text and "History" in page.text

    unknown = api.http.get("/tips/tip-nope")
    assert unknown.status_code == 404 and "Tip not found" in unknown.text
    query = {"topic": "where the recommendation goes in a submission"}
    topical = api.http.get("/tips", params=query)
    assert topical.status_code == 200 and "first paragraph" in topical.text
