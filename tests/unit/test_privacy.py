"""Forgetting a person: nothing they said can be found again, by any route, even after re-ingest."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from companion.app import build_pipeline
from companion.auth.keys import KeyStore
from companion.core.errors import NotFoundError
from companion.faces.api.app import create_app
from companion.features.ask.service import AnswerService
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.features.privacy.forget import forget_person
from companion.features.summaries.service import SummaryService
from companion.features.tips.store import TipStore
from companion.retrieval.context import Context
from ingest.audit import AuditLog
from ingest.tombstones import REDACTED_SPEAKER, REDACTED_TEXT

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PERSON = "amara-okafor"
LABELS = {"Dr Amara Okafor", "Amara Okafor", "Amara", "Dr Okafor"}
QUESTIONS = (
    "How do I win a minister's confidence early on?",
    "How does a minister like to read submissions?",
    "Is the APS job in private office worth applying for?",
)
PEER_TOPIC = "writing a submission for a new minister"
PHRASE = '"green ink"'  # FTS phrase only she said (2025-09, how one minister read papers)
SPEAKER_KEYS = {"speaker", "asked_by", "name", "facilitator"}


def _sentences(texts: list[str]) -> set[str]:
    """Her sentences long enough to identify her (short ones like "Okay." say nothing)."""
    parts = (s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t))
    return {" ".join(s.split()) for s in parts if len(s) >= 40}


def _quotes_her(text: str, sentences: set[str]) -> list[str]:
    flat = " ".join(text.replace("\\n", " ").split())
    return [s for s in sentences if s in flat]


def _speaker_values(value: Any) -> Iterator[str]:
    """Every value under a speaker-like key anywhere in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in SPEAKER_KEYS and isinstance(v, str):
                yield v
            yield from _speaker_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _speaker_values(v)


def _surfaces(ctx: Context, sessions: list[str], sentences: set[str]) -> dict[str, Any]:
    """What each route returns about her: her sentences found, her labels as a speaker."""
    found: dict[str, Any] = {}
    catalog = ctx.catalog
    found["catalog_turns"] = catalog.conn.execute(
        f"SELECT count(*) FROM turns WHERE speaker IN ({','.join('?' * len(LABELS))})",
        sorted(LABELS),
    ).fetchone()[0]
    found["fts_hits"] = len(catalog.search_lexical(PHRASE, 50))
    collection = ctx.vectors.client.get_collection(ctx.settings.chroma.collection)
    docs: list[str] = []
    for sid in sessions:
        docs += collection.get(where={"session_id": sid}, include=["documents"])["documents"]
    found["chroma_docs_quoting"] = sum(bool(_quotes_her(d, sentences)) for d in docs)
    every = collection.get(include=["documents"])["documents"]
    found["chroma_all_quoting"] = sum(bool(_quotes_her(d, sentences)) for d in every)
    answers = [AnswerService(ctx).ask(q) for q in QUESTIONS]
    found["answer_citations_by_her"] = sum(
        c.speaker in LABELS for a in answers for c in a.citations
    )
    found["answer_quotes_of_hers"] = sum(
        len(_quotes_her(a.answer + " ".join(c.quote for c in a.citations), sentences))
        for a in answers
    )
    store = TipStore(catalog)
    quotes = store.quotes()
    found["tip_quotes_by_her"] = sum(q.speaker in LABELS for q in quotes)
    found["tip_quotes_of_hers"] = sum(bool(_quotes_her(q.quote, sentences)) for q in quotes)
    found["tip_anchors_of_hers"] = sum(
        bool(_quotes_her(t.anchor_quote, sentences)) for t in store.tips().values()
    )
    peers = PeerService(ctx, record=False).recommend(PEER_TOPIC, limit=5)
    found["peer_suggested"] = PERSON in [s.person_id for s in peers.suggestions]
    found["peer_evidence_of_hers"] = sum(
        e.speaker in LABELS or bool(_quotes_her(e.quote, sentences))
        for s in peers.suggestions for e in s.evidence
    )
    service = SummaryService(ctx)
    bodies = [service.summary(sid).model_dump_json() for sid in sessions]
    found["summary_quotes_of_hers"] = sum(len(_quotes_her(b, sentences)) for b in bodies)
    found["summary_speaker_fields_hers"] = sum(
        v in LABELS for b in bodies for v in _speaker_values(json.loads(b))
    )
    return found


def _cli(ctx: Context, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    from companion.faces.cli import _register, app

    _register()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(ctx.settings.data_dir))
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_forget_removes_every_trace_of_a_person_who_speaks_in_several_sessions(
    samples_ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ctx = samples_ctx
    PeopleDirectory(ctx.catalog).upsert(load_people_file(SAMPLES / "people.yaml"))
    rows = ctx.catalog.conn.execute(
        f"SELECT session_id, speaker, text FROM turns WHERE speaker IN "
        f"({','.join('?' * len(LABELS))})", sorted(LABELS),
    ).fetchall()
    sessions = sorted({r["session_id"] for r in rows})
    assert len(sessions) >= 3 and len({r["speaker"] for r in rows}) >= 3  # several aliases
    sentences = _sentences([r["text"] for r in rows])

    before = _surfaces(ctx, sessions, sentences)
    print("\nbefore:", json.dumps(before))
    # Every route finds her before, so "nothing" afterwards means something.
    assert before["catalog_turns"] == len(rows) and before["fts_hits"] > 0
    assert before["chroma_docs_quoting"] > 0 and before["answer_citations_by_her"] > 0
    assert before["tip_quotes_by_her"] > 0 and before["peer_suggested"]
    assert before["summary_quotes_of_hers"] > 0

    out = _cli(ctx, monkeypatch, "people", "forget", PERSON, "--yes", "--json")
    report = json.loads(out)
    print("report:", json.dumps(report))
    assert report["turns_redacted"] == len(rows)
    # A session whose id says her name moves to a stable new id; the others keep theirs.
    moved = [sid for sid in sessions if "amara" in sid]
    assert moved and set(sessions) - set(report["sessions"]) == set(moved)
    assert all(ctx.catalog.session_row(sid) is None for sid in moved)
    spoke_in = len(sessions)
    sessions = report["sessions"]  # and sessions where others only say her name
    assert not [sid for sid in sessions if "amara" in sid]

    after = _surfaces(ctx, sessions, sentences)
    print("after:", json.dumps(after))
    assert after == {key: (False if key == "peer_suggested" else 0) for key in after}

    directory = PeopleDirectory(ctx.catalog)
    assert directory.get(PERSON) is None
    assert all(directory.resolve_speaker(label) is None for label in LABELS)
    redacted_in = [sid for sid in sessions if any(
        t.speaker == REDACTED_SPEAKER for t in ctx.catalog.load_session(sid).turns)]
    assert len(redacted_in) == spoke_in
    for sid in redacted_in:  # the session stays consistent: same turns, redacted in place
        session = ctx.catalog.load_session(sid)
        assert [t.index for t in session.turns] == list(range(len(session.turns)))
        assert session.facilitator not in LABELS
        shown = _cli(ctx, monkeypatch, "sessions", "show", sid)
        assert f"{REDACTED_SPEAKER}: {REDACTED_TEXT}" in shown
        assert not _quotes_her(shown, sentences)
        assert not re.search(r"^\s*\d+ (\[[\d:]+\] )?(Dr )?Amara( Okafor)?:", shown, re.M)
        assert ctx.catalog.chunk_ids(sid) == ctx.vectors.ids_for_session(sid)
        assert ctx.catalog.journal_pending() == []

    # Re-ingesting the original files brings nothing back: unchanged files are skipped...
    again = build_pipeline(ctx).ingest([SAMPLES / "sessions"])
    assert again.ok and not again.added and not again.replaced
    assert _surfaces(ctx, sessions, sentences)["catalog_turns"] == 0
    # ...and a changed copy is redacted at ingest by the tombstone.
    folder = tmp_path / "changed"
    folder.mkdir()
    vtt = SAMPLES / "sessions" / "2026-06-mentoring-amara-ollie.vtt"
    shutil.copy(vtt, folder / vtt.name)
    shutil.copy(vtt.with_suffix(".yaml"), folder / vtt.with_suffix(".yaml").name)
    with (folder / vtt.name).open("a", encoding="utf-8") as f:
        f.write("\n00:59:00.000 --> 00:59:05.000\nAmara: One more thing for the record.\n")
    changed = build_pipeline(ctx).ingest([folder])
    # Its id said her name: it lands on the same stable new id as the redacted original.
    assert changed.ok and len(changed.added + changed.replaced) == 1
    new = ctx.catalog.load_session((changed.added + changed.replaced)[0])
    assert new.id in sessions and "amara" not in new.id
    assert not [t for t in new.turns if t.speaker in LABELS]
    assert not _quotes_her(" ".join(t.text for t in new.turns), sentences)
    assert "One more thing for the record" not in " ".join(t.text for t in new.turns)
    assert new.facilitator is None

    entries = AuditLog(ctx.catalog).entries(None)
    forgotten = [e for e in entries if e.action == "person.forgotten"]
    assert len(forgotten) == 1 and forgotten[0].actor.startswith("user:")
    assert PERSON not in forgotten[0].target  # the log does not name who asked to be forgotten


def test_forget_unknown_person_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFoundError, match="no person with id 'nobody'"):
        forget_person(ctx, "nobody", "user:test")


WORKSHOP = """[00:00:05] Dr Amara Okafor: Put the decision you need in the first line of a paper.
[00:00:15] Tom Reyes: What if the private office asks for more background?
[00:00:25] Amara: Then add an annex; never bury the ask under the background of the paper.
[00:00:35] Tom Reyes: I always ring the private secretary before a difficult submission goes in.
"""
PEOPLE = """people:
  - {id: amara, name: Dr Amara Okafor, aliases: [Amara], recommendable: true}
  - {id: tom, name: Tom Reyes, recommendable: true}
"""
ORIGIN = "https://intranet.example"


def test_api_forget_is_admin_only_and_reports_what_went(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "workshop.txt").write_text(WORKSHOP, encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    keys = KeyStore(ctx.catalog)
    admin_key = keys.create("admin", name="dpo")
    admin = {"Authorization": f"Bearer {admin_key.key}"}
    widget = {"Authorization": f"Bearer {keys.create('widget', [ORIGIN]).key}", "Origin": ORIGIN}
    with TestClient(create_app(ctx=ctx)) as client:
        assert client.delete("/v1/people/amara").status_code == 401
        r = client.delete("/v1/people/amara", headers=widget)
        assert r.status_code == 403
        assert client.get("/v1/audit", headers=widget).status_code == 403
        r = client.delete("/v1/people/nobody", headers=admin)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        r = client.delete("/v1/people/amara", headers=admin)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["person_id"] == "amara" and body["sessions"] == ["workshop"]
        assert body["turns_redacted"] == 2 and body["labels"] == 2
        assert client.delete("/v1/people/amara", headers=admin).status_code == 404
        log = client.get("/v1/audit?limit=5", headers=admin).json()
        assert log[0]["action"] == "person.forgotten"
        assert log[0]["actor"] == f"key:dpo({admin_key.id})"
        assert log[1]["action"] == "session.replaced" and log[1]["detail"]["via"] == "forget"
    turns = ctx.catalog.load_session("workshop").turns
    assert [t.speaker for t in turns] == [REDACTED_SPEAKER, "Tom Reyes", REDACTED_SPEAKER,
                                          "Tom Reyes"]
    assert "annex" not in " ".join(
        ctx.vectors.store.get(where={"session_id": "workshop"})["documents"]
    )
