"""Export and import move the whole state to another data directory without re-embedding."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from companion.auth.keys import KeyStore
from companion.core.settings import Settings
from companion.features.ask.service import AnswerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.features.privacy.export import export_state
from companion.features.privacy.importer import import_state
from companion.features.privacy.manifest import TransferError
from companion.retrieval.context import Context
from companion.storage.embeddings import SentenceTransformerEmbeddings
from ingest.audit import AuditLog

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
QUESTIONS = (
    "How do I win a minister's confidence early on?",
    "What should go in the first paragraph of a submission?",
    "How do I prepare for a select committee?",
    "What is the Ledger model used for?",
)
TABLES = ("sessions", "turns", "chunks", "tips", "tip_quotes", "session_summaries", "people",
          "person_aliases")


def _counts(ctx: Context) -> dict[str, int]:
    return {t: ctx.catalog.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in TABLES}


def _answers(ctx: Context) -> list[dict[str, Any]]:
    return [AnswerService(ctx).ask(q).model_dump() for q in QUESTIONS]


def _no_embedding(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("import must not embed anything")


@pytest.fixture
def source(samples_ctx: Context) -> Context:
    PeopleDirectory(samples_ctx.catalog).upsert(load_people_file(SAMPLES / "people.yaml"))
    KeyStore(samples_ctx.catalog).create("admin", name="source machine")
    return samples_ctx


def test_round_trip_gives_the_same_answers_in_a_fresh_data_dir(
    source: Context, embeddings: SentenceTransformerEmbeddings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _answers(source)
    assert sum(len(a["citations"]) for a in before) >= len(QUESTIONS)
    archive = tmp_path / "state.tar.gz"
    manifest = export_state(source, archive, "user:test")
    assert manifest.counts["vectors"] == manifest.counts["chunks"] == source.vectors.count()
    assert manifest.embedding.dimension == 384 and manifest.excluded_tables == ["api_keys"]
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["catalog.sqlite3", "manifest.json", "vectors.jsonl",
                                          "vectors.npy"]

    dest = Context(Settings(data_dir=tmp_path / "other"), embeddings=embeddings)
    try:
        mine = KeyStore(dest.catalog).create("admin", name="this machine")
        with monkeypatch.context() as m:
            m.setattr(embeddings, "embed_documents", _no_embedding)
            m.setattr(embeddings, "embed_many", _no_embedding)
            import_state(dest, archive, "user:test")
        assert _counts(dest) == _counts(source)
        assert dest.vectors.count() == source.vectors.count()
        assert _answers(dest) == before  # same text, same citations, same scores
        # API keys stay with their machine: this one's key survives, the source's never comes.
        assert [k.name for k in KeyStore(dest.catalog).list()] == ["this machine"]
        assert KeyStore(dest.catalog).authenticate(mine.key) is not None
        assert AuditLog(dest.catalog).entries(1)[0].action == "state.imported"

        with pytest.raises(TransferError, match="--replace"):
            import_state(dest, archive, "user:test")
    finally:
        dest.close()


def test_import_refuses_another_embedding_model(
    source: Context, ctx: Context, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    export_state(source, folder, "user:test")
    for field, value, message in (("dimension", 768, "768 dimensions"),
                                  ("fingerprint", "0" * 16, "embedded with")):
        bad = tmp_path / f"bad-{field}"
        shutil.copytree(folder, bad)
        data = json.loads((bad / "manifest.json").read_text())
        data["embedding"][field] = value
        (bad / "manifest.json").write_text(json.dumps(data))
        with pytest.raises(TransferError, match=message):
            import_state(ctx, bad, "user:test")
    assert ctx.catalog.counts()["sessions"] == 0 and ctx.vectors.count() == 0
    with pytest.raises(TransferError, match="already exists"):
        export_state(source, folder, "user:test")


def test_cli_export_and_import_replace(
    source: Context, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from companion.faces.cli import _register, app

    _register()
    runner = CliRunner()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(source.settings.data_dir))
    out = runner.invoke(app, ["export", str(tmp_path / "s.tgz")])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith(f"exported {source.catalog.counts()['sessions']} sessions")

    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "x.txt").write_text("[00:00:01] Tom: A session already here.\n")
    from companion.app import build_pipeline

    assert build_pipeline(ctx).ingest([tmp_path / "one"]).ok
    monkeypatch.setenv("COMPANION_DATA_DIR", str(ctx.settings.data_dir))
    refused = runner.invoke(app, ["import", str(tmp_path / "s.tgz")])
    assert refused.exit_code != 0 and isinstance(refused.exception, TransferError)
    done = runner.invoke(app, ["import", str(tmp_path / "s.tgz"), "--replace"])
    assert done.exit_code == 0, done.output
    assert ctx.catalog.session_row("x") is None
    assert ctx.catalog.counts() == source.catalog.counts()
    assert ctx.vectors.count() == source.vectors.count()
    actions = [e.action for e in AuditLog(ctx.catalog).entries(None)]
    # This machine's history survives the replace, after the source's own.
    assert actions[0] == "state.imported" and actions[1] == "session.added"
