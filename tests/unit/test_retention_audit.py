"""Retention deletes old sessions everywhere; the audit log records who did what, append-only."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from companion.app import Companion, build_pipeline
from companion.features.summaries.store import SummaryStore
from companion.features.tips.store import TipStore
from companion.retrieval.context import Context
from ingest.audit import AuditLog
from ingest.retention import expired_sessions

ADVICE = """[00:00:05] Amara Okafor: Always put the recommendation first in a submission.
[00:00:15] Tom Reyes: Should I ring the private office before a difficult submission goes in?
[00:00:25] Amara Okafor: Yes, you should always ring the private secretary first.
"""
TODAY = date(2026, 6, 1)


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, when in (("old", "2024-01-10"), ("recent", "2026-05-20"), ("undated", None)):
        (folder / f"{stem}.txt").write_text(ADVICE.replace("submission", f"{stem} submission"),
                                            encoding="utf-8")
        if when:
            (folder / f"{stem}.yaml").write_text(f"title: {stem}\ndate: {when}\n",
                                                 encoding="utf-8")
    return folder


def _cli(ctx: Context, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    from companion.faces.cli import _register, app

    _register()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(ctx.settings.data_dir))
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_purge_deletes_old_sessions_with_their_vectors_tips_and_summaries(
    ctx: Context, tmp_path: Path
) -> None:
    # The real model: tips come from the learned advice detector, which reads real embeddings.
    assert build_pipeline(ctx).ingest([_corpus(tmp_path / "in")]).ok
    tips, summaries = TipStore(ctx.catalog), SummaryStore(ctx.catalog)
    assert {q.session_id for q in tips.quotes()} == {"old", "recent", "undated"}
    assert expired_sessions(ctx, 365, TODAY) == ["old"]  # undated: ingested today, kept

    dry = Companion(ctx=ctx).privacy.purge(365, "user:test", today=TODAY, dry_run=True)
    assert dry.deleted == ["old"] and ctx.catalog.session_row("old") is not None

    report = Companion(ctx=ctx).privacy.purge(365, "user:test", today=TODAY)
    assert report.deleted == ["old"] and report.cutoff == "2025-06-01"
    assert ctx.catalog.session_row("old") is None
    assert ctx.vectors.ids_for_session("old") == set()
    assert "old" not in {q.session_id for q in tips.quotes()}
    assert summaries.get("old") is None
    assert not ctx.catalog.search_lexical('"old submission"', 10)
    assert {s.id for s in ctx.catalog.list_sessions()} == {"recent", "undated"}

    # Sessions without a date age from when they were ingested.
    later = date.today() + timedelta(days=40)
    purged = Companion(ctx=ctx).privacy.purge(30, "user:test", today=later)
    assert purged.deleted == ["recent", "undated"]
    assert ctx.vectors.count() == 0 and ctx.catalog.counts()["chunks"] == 0

    entries = AuditLog(ctx.catalog).entries(None)
    assert [(e.action, e.target) for e in entries[:3]] == [
        ("retention.purged", f"sessions older than {(later - timedelta(days=30)).isoformat()}"),
        ("session.deleted", "session:undated"),
        ("session.deleted", "session:recent"),
    ]
    assert entries[1].detail == {"via": "retention"} and entries[0].actor == "user:test"
    assert [e.action for e in entries[-3:]] == ["session.added"] * 3


def test_ingest_applies_retention_when_set_and_cli_purge(
    fake_ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = fake_ctx
    folder = _corpus(tmp_path / "in")
    monkeypatch.setenv("COMPANION_RETENTION_DAYS", str((date.today() - date(2025, 1, 1)).days))
    report = json.loads(_cli(ctx, monkeypatch, "ingest", str(folder), "--json"))
    assert sorted(report["added"]) == ["old", "recent", "undated"]
    assert report["purged"] == ["old"]
    assert {s.id for s in ctx.catalog.list_sessions()} == {"recent", "undated"}

    monkeypatch.delenv("COMPANION_RETENTION_DAYS")
    report = json.loads(_cli(ctx, monkeypatch, "ingest", str(folder), "--json"))
    assert report["added"] == ["old"] and "purged" not in report  # setting off: nothing purged

    days = (date.today() - date(2026, 6, 1)).days  # cutoff after `recent`'s date
    dry = json.loads(_cli(ctx, monkeypatch, "sessions", "purge", "--days", str(days),
                          "--dry-run", "--json"))
    assert dry["deleted"] == ["old", "recent"] and dry["dry_run"] is True
    out = _cli(ctx, monkeypatch, "sessions", "purge", "--days", str(days))
    assert out.splitlines()[0].startswith("deleted 2 sessions older than")
    assert {s.id for s in ctx.catalog.list_sessions()} == {"undated"}


def test_audit_log_lists_newest_first_and_cannot_be_rewritten(
    fake_ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = fake_ctx
    assert build_pipeline(ctx, actor="user:alice").ingest([_corpus(tmp_path / "in")]).ok
    _cli(ctx, monkeypatch, "sessions", "delete", "recent")
    rows = json.loads(_cli(ctx, monkeypatch, "audit", "--limit", "2", "--json"))
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "at", "actor", "action", "target", "detail"}
    assert rows[0]["action"] == "session.deleted" and rows[0]["target"] == "session:recent"
    assert rows[0]["actor"].startswith("user:") and rows[0]["detail"] == {"via": "delete"}
    assert rows[1]["action"] == "session.added" and rows[1]["actor"] == "user:alice"
    assert rows[1]["detail"]["chunks"] >= 1
    text = _cli(ctx, monkeypatch, "audit")
    assert len(text.splitlines()) == 4 and "session.deleted" in text.splitlines()[0]

    conn = ctx.catalog.conn
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    assert len(AuditLog(ctx.catalog).entries(None)) == 4
