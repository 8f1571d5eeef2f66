"""The learning loop over HTTP with a real app: widget keys, origins, outcomes on tips, ask,
impact, forgetting, and every bad input refused with a problem."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from api.support import Api, assert_problem

OTHER = "https://elsewhere.example"
SHARED = ("I put the decision I needed in the first line and the minister's office "
          "replied within the hour")
SECRET = "my zebra quokka reflection stays private"


def tip_id(api: Api) -> str:
    rows = api.client.get("/v1/tips", headers=api.widget_headers()).json()
    return str(rows[0]["id"])


def start(api: Api, learner: str, headers: dict[str, str] | None = None, **subject: str) -> str:
    r = api.client.post("/v1/tries", json={"learner": learner, **subject},
                        headers=headers or api.widget_headers())
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_widget_learner_tries_a_tip_and_the_outcome_shows_on_it(api: Api) -> None:
    tip = tip_id(api)
    mine = start(api, "learner-1", tip_id=tip)
    theirs = start(api, "learner-2", tip_id=tip)
    r = api.client.post(f"/v1/tries/{mine}/outcome", headers=api.widget_headers(),
                        json={"outcome": "worked", "reflection": SHARED, "share": True})
    assert r.status_code == 200 and r.json()["reflection_session"]
    r = api.client.post(f"/v1/tries/{theirs}/outcome", headers=api.widget_headers(),
                        json={"outcome": "did_not", "reflection": SECRET, "share": False})
    assert r.status_code == 200 and r.json()["reflection_session"] is None

    shown = api.client.get(f"/v1/tips/{tip}", headers=api.widget_headers()).json()
    assert shown["outcomes"] == {"tried": 2, "worked": 1, "partly": 0, "did_not": 1,
                                 "flagged": False}
    assert [q["quote"] for q in shown["reflections"]] == [SHARED]
    assert SECRET not in str(shown)

    own = api.client.get("/v1/tries?learner=learner-1", headers=api.widget_headers()).json()
    assert [t["id"] for t in own["closed"]] == [mine] and SECRET not in str(own)
    other = api.client.get("/v1/tries?learner=learner-2", headers=api.widget_headers()).json()
    assert other["closed"][0]["reflection"] == SECRET  # their own, to themselves

    impact = api.client.get("/v1/impact", headers=api.admin_headers())
    assert impact.status_code == 200 and SECRET not in impact.text
    assert impact.json()["totals"]["tries"] == 2
    assert impact.json()["tips"][0]["key"] == tip
    assert_problem(api.client.get("/v1/impact", headers=api.widget_headers()), 403)


def test_a_shared_reflection_is_cited_and_an_unshared_one_never(api: Api) -> None:
    tip = tip_id(api)
    a, b = start(api, "learner-1", tip_id=tip), start(api, "learner-2", tip_id=tip)
    api.client.post(f"/v1/tries/{a}/outcome", headers=api.widget_headers(),
                    json={"outcome": "worked", "reflection": SHARED, "share": True})
    api.client.post(f"/v1/tries/{b}/outcome", headers=api.widget_headers(),
                    json={"outcome": "did_not", "reflection": SECRET})
    answer = api.client.post(
        "/v1/ask", headers=api.widget_headers(),
        json={"question": "What happened when someone put the decision in the first line?"},
    ).json()
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "replied within the hour" in quotes
    for headers in (api.widget_headers(), api.admin_headers()):
        secret = api.client.post("/v1/ask", headers=headers,
                                 json={"question": "zebra quokka reflection"}).json()
        assert "zebra" not in str(secret["citations"]).lower()


def test_bad_input_gets_specific_problems(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api()
    tip = tip_id(api)
    w = api.widget_headers()
    body = assert_problem(api.client.post(
        "/v1/tries", json={"tip_id": "tip-doesnotexist", "learner": "l1"}, headers=w), 404)
    assert "tip-doesnotexist" in body["detail"]
    assert_problem(api.client.post("/v1/tries", json={"learner": "l1"}, headers=w), 422)
    assert_problem(api.client.post(
        "/v1/tries", json={"tip_id": tip, "question": "both?", "learner": "l1"}, headers=w), 422)
    assert_problem(api.client.post(
        "/v1/tries", json={"tip_id": tip, "learner": "<script>"}, headers=w), 422)
    t = start(api, "l1", tip_id=tip)
    assert_problem(api.client.post(f"/v1/tries/{t}/outcome", json={"outcome": "meh"},
                                   headers=w), 422)
    long = "x" * (api.ctx.settings.loop.max_reflection_chars + 1)
    body = assert_problem(api.client.post(
        f"/v1/tries/{t}/outcome", json={"outcome": "worked", "reflection": long}, headers=w), 422)
    assert "characters" in body["detail"]
    assert_problem(api.client.post("/v1/tries/try-nope/outcome", json={"outcome": "worked"},
                                   headers=w), 404)
    assert_problem(api.client.delete("/v1/tries/try-nope", headers=w), 404)
    assert_problem(api.client.get("/v1/tries", headers=w), 422)  # no learner


def test_a_learner_id_is_bound_to_its_widget_origin(api: Api) -> None:
    other = api.keys.create("widget", [OTHER], name="elsewhere").key
    elsewhere = {"Authorization": f"Bearer {other}", "Origin": OTHER}
    tip = tip_id(api)
    t = start(api, "learner-1", tip_id=tip)
    assert_problem(api.client.post("/v1/tries", json={"tip_id": tip, "learner": "learner-1"},
                                   headers=elsewhere), 403)
    assert_problem(api.client.get("/v1/tries?learner=learner-1", headers=elsewhere), 403)
    assert_problem(api.client.post(f"/v1/tries/{t}/outcome", json={"outcome": "worked"},
                                   headers=elsewhere), 403)
    assert_problem(api.client.delete(f"/v1/tries/{t}", headers=elsewhere), 403)
    assert_problem(api.client.delete("/v1/learners/learner-1", headers=elsewhere), 403)
    # The other site's own learners work as usual.
    start(api, "learner-7", elsewhere, tip_id=tip)


def test_learners_delete_their_tries_and_can_be_forgotten(api: Api) -> None:
    tip, w = tip_id(api), api.widget_headers()
    t = start(api, "learner-1", tip_id=tip)
    shared = api.client.post(f"/v1/tries/{t}/outcome", headers=w,
                             json={"outcome": "worked", "reflection": SHARED, "share": True})
    session = shared.json()["reflection_session"]
    assert api.client.get(f"/v1/sessions/{session}", headers=api.admin_headers()).status_code == 200
    assert api.client.delete(f"/v1/tries/{t}?learner=learner-1", headers=w).status_code == 204
    assert_problem(api.client.get(f"/v1/sessions/{session}", headers=api.admin_headers()), 404)

    start(api, "learner-1", question="How long should a submission to a minister be?")
    gone = api.client.delete("/v1/learners/learner-1", headers=api.admin_headers())
    assert gone.status_code == 200 and gone.json()["tries_removed"] == 1
    mine = api.client.get("/v1/tries?learner=learner-1", headers=w).json()
    assert mine["open"] == [] and mine["closed"] == []
    tip_now = api.client.get(f"/v1/tips/{tip}", headers=w).json()
    assert tip_now["outcomes"]["tried"] == 0


def test_the_widget_config_says_when_to_follow_up(api: Api) -> None:
    config = api.client.get("/widget/config").json()
    assert config["features"]["loop"] is True
    assert config["loop"] == {"follow_up_days": 7, "max_reflection_chars": 1000}
    start(api, "l1", tip_id=tip_id(api))
    mine = api.client.get("/v1/tries?learner=l1", headers=api.widget_headers()).json()
    created = datetime.fromisoformat(mine["open"][0]["created_at"])
    due = datetime.fromisoformat(mine["open"][0]["follow_up_at"])
    assert due - created == timedelta(days=7) and mine["due"] == 0


def test_the_console_charts_tries_and_flags_tips_few_found_useful(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api()
    api.ctx.settings.loop.flag_min_outcomes = 2
    tip = tip_id(api)
    for n in range(2):
        t = start(api, f"learner-{n}", tip_id=tip)
        api.client.post(f"/v1/tries/{t}/outcome", headers=api.widget_headers(),
                        json={"outcome": "did_not", "reflection": SECRET})
    shown = api.client.get(f"/v1/tips/{tip}", headers=api.widget_headers()).json()
    assert shown["outcomes"]["flagged"] is True
    form = api.client.get("/console").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    api.client.post("/console/sign-in", data={"key": api.admin, "csrf": csrf.group(1)},
                    follow_redirects=False)
    page = api.client.get("/console").text
    assert "Learning loop" in page and "Tries per week" in page
    assert "Many tried these, few found them useful" in page and f"/tips/{tip}" in page
    assert SECRET not in page
    queue = api.client.get("/console/tips").text
    assert "2 tried, 0 worked" in queue and "few found it useful" in queue
