"""Sessions over HTTP (admin): list, show, delete, and uploads good and bad."""

from __future__ import annotations

from api.support import Api, assert_problem

NOTES = """\
[00:00:05] Kwame Mensah: Shadowing a committee clerk taught me to prepare one-page briefs.
[00:00:20] Hannah Lowe: Write the likely questions on the left and the short answers on the right.
"""
BAD = "This line has no speaker at all\n[00:00:05] Amara: hello there everyone\n"


def session_ids(api: Api) -> list[str]:
    r = api.client.get("/v1/sessions", headers=api.admin_headers())
    assert r.status_code == 200
    return sorted(s["id"] for s in r.json())


def upload(api: Api, name: str, content: bytes, **extra: tuple[str, bytes]):
    return api.client.post("/v1/sessions", files={"file": (name, content), **extra},
                           headers=api.admin_headers())


def test_list_show_and_delete(api: Api):
    c, h = api.client, api.admin_headers()
    assert session_ids(api) == ["restructure-listening", "submissions-workshop"]
    shown = c.get("/v1/sessions/restructure-listening", headers=h).json()
    assert shown["consent"] is False and shown["turns"][0]["speaker"] == "Priya Shah"
    assert c.delete("/v1/sessions/submissions-workshop", headers=h).status_code == 204
    assert session_ids(api) == ["restructure-listening"]
    assert_problem(c.get("/v1/sessions/submissions-workshop", headers=h), 404)
    assert_problem(c.delete("/v1/sessions/submissions-workshop", headers=h), 404)


def test_upload_a_good_file_ingests_it(api: Api):
    r = upload(api, "committee shadowing.txt", NOTES.encode(),
               metadata=("meta.yaml", b"title: Shadowing a committee clerk\nkind: shadowing\n"
                                      b"consent: true\n"))  # uploads are private unless stated
    assert r.status_code == 201, r.text
    assert r.json()["added"] == ["committee-shadowing"]
    assert "committee-shadowing" in session_ids(api)
    shown = api.client.get("/v1/sessions/committee-shadowing", headers=api.admin_headers()).json()
    assert shown["title"] == "Shadowing a committee clerk" and shown["kind"] == "shadowing"
    saved = api.ctx.settings.data_dir / "uploads" / "committee-shadowing.txt"
    assert saved.read_text(encoding="utf-8") == NOTES
    q = {"question": "How should I prepare briefs for a select committee?"}
    answer = api.client.post("/v1/ask", json=q, headers=api.admin_headers()).json()
    assert "committee-shadowing" in {c["session_id"] for c in answer["citations"]}
    again = upload(api, "committee shadowing.txt", NOTES.encode())
    assert again.status_code == 200 and again.json()["unchanged"] == ["committee-shadowing"]


def test_upload_a_bad_file_names_the_line_and_loses_nothing(api: Api):
    before = session_ids(api)
    body = assert_problem(upload(api, "broken.txt", BAD.encode()), 422)
    assert body["detail"].startswith("broken.txt:1: ") and "speaker" in body["detail"].lower()
    assert str(api.ctx.settings.data_dir) not in body["detail"]
    assert session_ids(api) == before
    assert not (api.ctx.settings.data_dir / "uploads" / "broken.txt").exists()


def test_a_bad_new_version_of_an_upload_keeps_the_old_one(api: Api):
    assert upload(api, "notes.txt", NOTES.encode()).status_code == 201
    assert_problem(upload(api, "notes.txt", BAD.encode()), 422)
    assert "notes" in session_ids(api)
    assert (api.ctx.settings.data_dir / "uploads" / "notes.txt").read_text() == NOTES
    shown = api.client.get("/v1/sessions/notes", headers=api.admin_headers()).json()
    assert shown["turns"][0]["speaker"] == "Kwame Mensah"


def test_upload_type_size_and_name_checks(make_api, tmp_path):
    api: Api = make_api(max_upload_bytes=2_000)
    body = assert_problem(upload(api, "slides.pdf", b"%PDF-1.4"), 415)
    assert "slides.pdf" in body["detail"] and ".vtt" in body["detail"]
    assert_problem(upload(api, "huge.txt", b"[00:00:01] A: " + b"words " * 1000), 413)
    r = upload(api, "../../../escape.txt", NOTES.encode())
    assert r.status_code == 201 and r.json()["added"] == ["escape"]
    assert (api.ctx.settings.data_dir / "uploads" / "escape.txt").exists()
    assert [p.parent.name for p in tmp_path.glob("**/escape.txt")] == ["uploads"]
    r = api.client.post("/v1/sessions", data={"note": "no file"}, headers=api.admin_headers())
    assert r.status_code in (400, 422)
    assert r.headers["content-type"].startswith("application/problem+json")


def test_audit_log_names_the_key_that_uploaded_and_deleted(api: Api):
    assert upload(api, "committee shadowing.txt", NOTES.encode()).status_code == 201
    h = api.admin_headers()
    assert api.client.delete("/v1/sessions/committee-shadowing", headers=h).status_code == 204
    entries = api.client.get("/v1/audit", headers=h).json()
    target = "session:committee-shadowing"
    mine = {(e["action"], e["actor"]) for e in entries if e["target"] == target}
    actors = {actor for _, actor in mine}
    assert {action for action, _ in mine} == {"session.added", "session.deleted"}
    assert len(actors) == 1 and actors.pop().startswith("key:"), mine
