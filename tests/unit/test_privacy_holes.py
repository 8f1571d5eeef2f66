"""Issue 22: privacy holes in forget, tombstones, consent, uploads and ingest (store level).

Each test reproduces one hole found by probing the running service; the API-level ones are in
tests/api/test_privacy_holes.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from companion.app import Companion
from companion.core.errors import TranscriptParseError
from companion.core.settings import Settings
from companion.features.feedback.store import FeedbackIn, FeedbackStore
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context
from ingest.parsers import load_session
from ingest.tombstones import REDACTED_NAME, REDACTED_SPEAKER, REDACTED_TITLE
from ingest.uploads import UploadConflictError

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

MENTORING = """\
[00:00:05] Gareth Llewellyn: From the analyst side, thank you, please keep saying that.
[00:00:15] Tom Reyes: I'll put it on a T-shirt for you, Gareth. Gareth's team will love it.
[00:00:25] Amara Okafor: Put the decision you need in the first line of the submission.
"""
MENTORING_META = "title: Mentoring Gareth on submissions\nconsent: true\n"
# The same person, labelled as transcription tools and teams write them.
LATER = """\
[00:00:05] Gareth L: The spending review model runs every night in Ledger.
[00:00:10] Gareth Llewellyn (Analysis): Every number carries a run id and a date.
[00:00:20] Amara Okafor: Ask Gareth for the run id before the submission goes up.
"""
PEOPLE = """\
people:
  - {id: gareth-llewellyn, name: Gareth Llewellyn, recommendable: true}
  - {id: tom-reyes, name: Tom Reyes, recommendable: true}
  - {id: amara-okafor, name: Amara Okafor, recommendable: true}
"""


def _companion(ctx: Context, tmp_path: Path) -> Companion:
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    return Companion(ctx=ctx)


def _ingest_mentoring(companion: Companion, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mentoring-gareth-tom.txt").write_text(MENTORING, encoding="utf-8")
    (folder / "mentoring-gareth-tom.yaml").write_text(MENTORING_META, encoding="utf-8")
    report = companion.pipeline().ingest([folder])
    assert report.ok and report.added == ["mentoring-gareth-tom"], report


def _everything_stored(ctx: Context) -> str:
    conn = ctx.catalog.conn
    parts = [json.dumps([tuple(r) for r in conn.execute(f"SELECT * FROM {table}")])
             for table in ("sessions", "turns", "chunks", "feedback")]
    return "\n".join(parts).lower()


# -- item 3: the name where others said it, titles, ids, variants, feedback ---------------------


def test_forget_redacts_the_name_said_by_others_in_turns_fts_titles_and_ids(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    _ingest_mentoring(companion, tmp_path / "in")
    report = companion.privacy.forget("gareth-llewellyn", "user:test")

    catalog = fake_ctx.catalog
    assert catalog.session_row("mentoring-gareth-tom") is None  # the id said the name
    (new_id,) = report.sessions
    assert new_id.startswith("session-") and "gareth" not in new_id
    session = catalog.load_session(new_id)
    assert session.title == REDACTED_TITLE
    assert session.turns[0].speaker == REDACTED_SPEAKER
    assert session.turns[1].text == (
        f"I'll put it on a T-shirt for you, {REDACTED_NAME}. {REDACTED_NAME}'s team will love it."
    )
    assert "gareth" not in _everything_stored(fake_ctx)
    assert catalog.search_lexical("gareth", 10) == []
    assert catalog.search_lexical('"t shirt"', 10)  # Tom's words are still found

    # Re-ingesting the unchanged file keeps the stable new id and brings nothing back.
    again = companion.pipeline().ingest([tmp_path / "in"])
    assert again.unchanged == [new_id] and not again.added, again
    assert "gareth" not in _everything_stored(fake_ctx)


def test_name_variants_and_mentions_are_redacted_on_later_ingest(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    _ingest_mentoring(companion, tmp_path / "in")
    companion.privacy.forget("gareth-llewellyn", "user:test")
    later = tmp_path / "later"
    later.mkdir()
    (later / "model-briefing.txt").write_text(LATER, encoding="utf-8")
    assert companion.pipeline().ingest([later]).ok

    turns = fake_ctx.catalog.load_session("model-briefing").turns
    assert [t.speaker for t in turns] == [REDACTED_SPEAKER, REDACTED_SPEAKER, "Amara Okafor"]
    assert turns[2].text == f"Ask {REDACTED_NAME} for the run id before the submission goes up."
    assert "gareth" not in _everything_stored(fake_ctx)


def test_forget_redacts_feedback_questions_and_comments_that_name_the_person(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    _ingest_mentoring(companion, tmp_path / "in")
    store = FeedbackStore(fake_ctx.catalog)
    store.add(FeedbackIn(kind="other", question="What did Gareth say about the T-shirt?",
                         comment="Gareth's answer was cut off"))
    store.add(FeedbackIn(kind="helpful", comment="Amara was clear"))
    companion.privacy.forget("gareth-llewellyn", "user:test")

    rows = store.list()
    assert "gareth" not in json.dumps([r.model_dump() for r in rows]).lower()
    assert rows[0].comment == "Amara was clear"
    export = tmp_path / "export"
    companion.privacy.export(export, "user:test")
    exported = sqlite3.connect(export / "catalog.sqlite3")
    feedback = exported.execute("SELECT question, answer, citation, comment FROM feedback")
    assert "gareth" not in json.dumps(feedback.fetchall()).lower()
    fts = exported.execute("SELECT block FROM chunks_fts_data").fetchall()
    assert not any(b"gareth" in bytes(r[0] or b"").lower() for r in fts)  # no stale FTS terms


# -- item 2: stored copies of uploaded files ---------------------------------------------------


def test_forget_removes_the_stored_copy_of_an_uploaded_file(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    companion.uploads.ingest_upload(
        "panel.txt", io.BytesIO(MENTORING.encode()), io.BytesIO(b"consent: true\n")
    )
    uploads = fake_ctx.settings.data_dir / "uploads"
    assert (uploads / "panel.txt").exists()
    report = companion.privacy.forget("gareth-llewellyn", "user:test")
    assert report.other.get("uploads_removed") == 1
    leftovers = [p for p in uploads.rglob("*") if p.is_file()]
    assert not any(b"Gareth" in p.read_bytes() for p in leftovers), leftovers


# -- item 10: keyed hashes, a per-install secret, legacy tombstones -----------------------------


def test_tombstones_and_audit_hold_keyed_hashes_only(fake_ctx: Context, tmp_path: Path) -> None:
    companion = _companion(fake_ctx, tmp_path)
    _ingest_mentoring(companion, tmp_path / "in")
    companion.privacy.forget("gareth-llewellyn", "user:test")

    conn = fake_ctx.catalog.conn
    stored = json.dumps(
        [tuple(r) for t in ("forgotten_people", "forgotten_aliases", "forgotten_mentions",
                            "audit_log") for r in conn.execute(f"SELECT * FROM {t}")]
    )
    for value in ("gareth-llewellyn", "gareth llewellyn", "gareth", "gareth l"):
        assert hashlib.sha256(value.encode()).hexdigest()[:16] not in stored, value
    secret = fake_ctx.settings.data_dir / "install.secret"
    assert secret.exists() and stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    export = tmp_path / "export"
    companion.privacy.export(export, "user:test")
    blob = b"".join(p.read_bytes() for p in export.rglob("*") if p.is_file())
    assert secret.read_bytes() not in blob


def test_legacy_unkeyed_tombstones_still_redact(fake_ctx: Context, tmp_path: Path) -> None:
    companion = _companion(fake_ctx, tmp_path)
    companion.pipeline()  # tables exist
    from ingest.tombstones import SCHEMA

    fake_ctx.catalog.ensure_schema(SCHEMA)
    legacy = hashlib.sha256(b"gareth llewellyn").hexdigest()
    with fake_ctx.catalog.transaction() as conn:
        conn.execute("INSERT INTO forgotten_aliases VALUES (?, ?)", (legacy, "p"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "later.txt").write_text(LATER.replace("Gareth L:", "Gareth Llewellyn:"))
    assert companion.pipeline().ingest([tmp_path / "in"]).ok
    turns = fake_ctx.catalog.load_session("later").turns
    assert turns[0].speaker == REDACTED_SPEAKER


# -- item 7: consent when nothing states it ----------------------------------------------------


def test_every_sample_file_declares_consent() -> None:
    for path in sorted((SAMPLES / "sessions").glob("*")):
        if path.suffix in (".yaml", ".yml"):
            continue
        declared = load_session(path, False) == load_session(path, True)
        assert declared, f"{path.name} relies on the default consent"


def test_an_upload_without_consent_is_private_and_the_setting_decides_for_the_shell(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    companion.uploads.ingest_upload("upload.txt", io.BytesIO(MENTORING.encode()))
    assert fake_ctx.catalog.session_row("upload")["consent"] == 0
    folder = tmp_path / "shell"
    folder.mkdir()
    (folder / "shell.txt").write_text(MENTORING, encoding="utf-8")
    private = Context(Settings(data_dir=tmp_path / "other", default_consent=False),
                      embeddings=fake_ctx.embeddings)
    try:
        assert Companion(ctx=private).pipeline().ingest([folder]).ok
        assert private.catalog.session_row("shell")["consent"] == 0
    finally:
        private.close()


# -- item 11: one file name, one session; NUL characters ---------------------------------------


def _json_session(session_id: str, words: str) -> io.BytesIO:
    doc = {"id": session_id, "title": session_id, "consent": True,
           "turns": [{"speaker": "Tom Reyes", "text": words}]}
    return io.BytesIO(json.dumps(doc).encode())


def test_an_upload_cannot_overwrite_the_file_of_another_session(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    companion.uploads.ingest_upload("notes.json", _json_session("alpha", "Alpha words here."))
    with pytest.raises(UploadConflictError, match="alpha"):
        companion.uploads.ingest_upload("notes.json", _json_session("beta", "Beta words here."))
    stored = fake_ctx.settings.data_dir / "uploads" / "notes.json"
    assert b"Alpha words" in stored.read_bytes()
    assert fake_ctx.catalog.session_row("beta") is None


def test_nul_characters_are_refused_at_parse_time(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_text(json.dumps({"title": "t", "turns": [{"speaker": "A", "text": "a\u0000b"}]}))
    with pytest.raises(TranscriptParseError, match="NUL"):
        load_session(path)
    notes = tmp_path / "notes.txt"
    notes.write_text("A: fine\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text('title: "bad\\0title"\n', encoding="utf-8")
    with pytest.raises(TranscriptParseError, match="title: holds a NUL"):
        load_session(notes)


# -- item 12: an unreadable path does not abort the batch ---------------------------------------


def test_an_unreadable_path_is_reported_and_the_rest_still_ingests(
    fake_ctx: Context, tmp_path: Path
) -> None:
    companion = _companion(fake_ctx, tmp_path)
    good = tmp_path / "good.txt"
    good.write_text(MENTORING, encoding="utf-8")
    report = companion.pipeline().ingest(["x" * 300, good])  # ENAMETOOLONG on stat
    assert report.added == ["good"]
    assert len(report.failed) == 1 and "cannot read" in report.failed[0]


# -- item 5: uvicorn believes X-Forwarded-For only from configured proxies ----------------------


def test_serve_trusts_no_proxy_headers_unless_proxies_are_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from companion.faces.cli import _register, app

    _register()
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    # uvicorn's default (proxy_headers with FORWARDED_ALLOW_IPS=127.0.0.1) lets any loopback
    # client pick its own address.
    assert calls[-1]["proxy_headers"] is False and calls[-1]["forwarded_allow_ips"] is None
    monkeypatch.setenv("COMPANION_API__TRUSTED_PROXIES", "10.0.0.1,10.2.0.0/16")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert calls[-1]["proxy_headers"] is True
    assert calls[-1]["forwarded_allow_ips"] == "10.0.0.1,10.2.0.0/16"
