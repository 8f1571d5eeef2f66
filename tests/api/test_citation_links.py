"""Citation urls open the transcript at the cited moment; access follows the key that asked."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

from api.support import Api, assert_problem
from companion.auth.links import LinkSigner, load_secret

QUESTION = {"question": "How long should a submission to a minister be?"}
PRIVATE_Q = {"question": "What happened to the pension transfer paperwork in the Leeds office?",
             "filters": {"include_private": True}}


def _first_citation(api: Api, headers: dict[str, str], body: dict = QUESTION) -> dict:
    r = api.client.post("/v1/ask", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["citations"][0]


def test_widget_citation_url_opens_the_passage_without_the_key(api: Api):
    cite = _first_citation(api, api.widget_headers())
    url = cite["url"]
    assert api.widget not in url and "sig=" in url
    parts = urlsplit(url)
    assert parts.path == "/sessions/submissions-workshop"
    assert parts.fragment == f"t={int(cite['start'])}"
    page = api.client.get(url, headers={"Accept": "text/html"})  # no key sent
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    assert cite["quote"] in text
    cited = parse_qs(parts.query)["turn"][0].split("-")[0]
    assert f'class="turn cited" id="turn={cited}"' in page.text  # the cited turn is highlighted


def test_unsigned_tampered_and_expired_links_are_refused(api: Api):
    cite = _first_citation(api, api.widget_headers())
    unsigned = api.client.get("/sessions/submissions-workshop")
    assert unsigned.status_code == 401 and unsigned.headers["content-type"].startswith("text/html")
    assert_problem(api.client.get("/v1/sessions/submissions-workshop/transcript"), 401)
    sig = parse_qs(urlsplit(cite["url"]).query)["sig"][0]
    other = api.client.get(f"/sessions/restructure-listening?sig={sig}")
    assert other.status_code == 403  # scoped to one session
    secret = load_secret(api.ctx.settings.data_dir)
    old = LinkSigner(secret, clock=lambda: 1_000_000).token("submissions-workshop", "widget", 60)
    expired = api.client.get(f"/v1/sessions/submissions-workshop/transcript?sig={old}")
    assert "expired" in assert_problem(expired, 403)["detail"]


def test_transcript_json_anchors_every_turn(api: Api):
    cite = _first_citation(api, api.widget_headers())
    query = urlsplit(cite["url"]).query
    r = api.client.get(f"/v1/sessions/submissions-workshop/transcript?{query}")
    body = r.json()
    assert r.status_code == 200 and body["title"]
    assert all(t["anchor"] == f"#t={int(t['start'])}" for t in body["turns"])
    assert any(t["cited"] and cite["quote"] in t["text"] for t in body["turns"])


def test_private_sessions_get_links_for_admins_only(api: Api):
    cite = _first_citation(api, api.admin_headers(), PRIVATE_Q)
    assert cite["session_id"] == "restructure-listening" and cite["url"]
    assert api.client.get(cite["url"]).status_code == 200
    links = api.client.app.state.services.companion.citation_links(admin=False)
    assert links.url("restructure-listening", 5.0, 0) is None
    secret = load_secret(api.ctx.settings.data_dir)
    forged = LinkSigner(secret).token("restructure-listening", "widget", 60)
    assert api.client.get(f"/sessions/restructure-listening?sig={forged}").status_code == 403


def test_tips_and_peers_carry_links_and_titles(api: Api):
    tips = api.client.get("/v1/tips", headers=api.widget_headers()).json()
    quotes = [q for t in tips for q in t["quotes"]]
    assert quotes and all(q["url"] and q["session_title"] for q in quotes)
    page = api.client.get(f"/tips/{tips[0]['id']}")
    assert page.status_code == 200 and "/sessions/" in page.text and "sig=" in page.text
