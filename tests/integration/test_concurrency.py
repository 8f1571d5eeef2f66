"""Concurrency: answers stay grounded while sessions are re-ingested; catalog writers queue.

1. Threads ask `/v1/ask` in a loop while another thread re-ingests changed versions of the
   sessions (chunks are replaced and deleted under the readers): every request succeeds and
   every citation quotes, verbatim, a turn of the old or the new version of its session.
2. Several processes write the same SQLite catalog at once (WAL, busy timeout, BEGIN
   IMMEDIATE): no "database is locked", and every write is there afterwards.
3. Two real `companion ingest` processes of different files share one data directory (and a
   Chroma server): both finish, and the stores hold every session whole and settled.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from corpus_versions import SESSIONS_V1, SESSIONS_V2, write_files
from fastapi.testclient import TestClient
from store_state import Version, assert_settled, assert_whole, expected_versions, read_state

from companion.app import build_pipeline
from companion.auth.keys import KeyStore
from companion.core.schemas import Chunk, Session, Turn
from companion.core.settings import APISettings, Settings
from companion.faces.api import create_app
from companion.retrieval.context import Context
from companion.storage.catalog import Catalog

QUESTIONS = (
    "Where should the decision go in a submission?",
    "How long should a submission to a minister be?",
    "Should I ring the private office before sending something contentious?",
    "How do I earn the minister's confidence?",
    "What should I do after a restructure when my manager changes?",
    "How should I prepare a witness for a select committee?",
)
REINGEST_ROUNDS = 4  # new, old, new, old: every session replaced four times
ASKERS = 2


def _grounded(citation: dict[str, Any], versions: list[dict[str, Version]]) -> bool:
    """The quote occurs verbatim in the cited turns of one version of the cited session."""
    for version in versions:
        known = version.get(citation["session_id"])
        if known is None:
            continue
        turns = known.turns[citation["turn_start"] : citation["turn_end"] + 1]
        if turns and citation["quote"] in " ".join(turns):
            return True
    return False


@pytest.mark.slow
def test_answers_stay_grounded_while_sessions_are_replaced(tmp_path: Path, embeddings: Any) -> None:
    v1, v2 = write_files(tmp_path / "v1", SESSIONS_V1), write_files(tmp_path / "v2", SESSIONS_V2)
    versions = [expected_versions(v1), expected_versions(v2)]
    folder = write_files(tmp_path / "in", SESSIONS_V1)
    unlimited = APISettings(rate_limit_burst=10_000, key_rate_limit_burst=10_000)
    settings = Settings(data_dir=tmp_path / "data", api=unlimited)
    writer_ctx = Context(settings, embeddings=embeddings)
    assert build_pipeline(writer_ctx).ingest([folder]).ok
    app_ctx = Context(settings, embeddings=embeddings)
    admin = KeyStore(app_ctx.catalog).create("admin", name="tests").key
    headers = {"Authorization": f"Bearer {admin}"}

    done = threading.Event()
    failures: list[str] = []
    answers: list[dict[str, Any]] = []

    def reingest() -> None:
        try:
            for round_ in range(REINGEST_ROUNDS):
                write_files(folder, SESSIONS_V2 if round_ % 2 == 0 else SESSIONS_V1)
                report = build_pipeline(writer_ctx).ingest([folder])
                assert report.ok and len(report.replaced) == 4, report
        except BaseException:
            failures.append(traceback.format_exc())
        finally:
            writer_ctx.close()
            done.set()

    def ask(client: TestClient, offset: int) -> None:
        i = offset
        while not done.is_set() or i < offset + len(QUESTIONS):  # at least one full pass
            body = {"question": QUESTIONS[i % len(QUESTIONS)], "filters": {"include_private": True}}
            r = client.post("/v1/ask", json=body, headers=headers)
            if r.status_code != 200:
                failures.append(f"{r.status_code}: {r.text[:500]}")
            else:
                answers.append(r.json())
            i += 1

    with TestClient(create_app(ctx=app_ctx)) as client:
        threads = [threading.Thread(target=reingest)] + [
            threading.Thread(target=ask, args=(client, n)) for n in range(ASKERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=900)
    app_ctx.close()

    assert not failures, failures[:3]
    cited = [c for a in answers for c in a["citations"]]
    ungrounded = [c for c in cited if not _grounded(c, versions)]
    assert not ungrounded, ungrounded[:3]
    assert sum(not a["abstained"] for a in answers) >= len(QUESTIONS) // 2
    state = read_state(tmp_path / "data", embeddings)
    assert_settled(state)
    assert_whole(state, versions[:1])  # the last round wrote the old versions back
    print(
        f"\n{len(answers)} answers, {len(cited)} citations checked during "
        f"{REINGEST_ROUNDS} re-ingests of {len(versions[0])} sessions"
    )


# -- several processes writing one catalog ----------------------------------------------------

WRITERS = 3
SESSIONS_PER_WRITER = 12
REWRITES = 4  # each session is written this many times (a replace each time)


def _session(writer: int, n: int, version: int) -> tuple[Session, list[Chunk]]:
    sid = f"w{writer}-s{n}"
    turns = [
        Turn(index=i, speaker=f"Speaker {i % 2}", text=f"{sid} version {version} turn {i} words")
        for i in range(6)
    ]
    chunks = [
        Chunk(
            id=f"{sid}:v{version}:{k}",
            session_id=sid,
            ordinal=k,
            speakers=["Speaker 0"],
            turn_start=3 * k,
            turn_end=3 * k + 2,
            text=" ".join(t.text for t in turns[3 * k : 3 * k + 3]),
        )
        for k in range(2)
    ]
    session = Session(
        id=sid, title=sid, source=f"{sid}.txt", content_hash=f"{sid}:{version}", turns=turns
    )
    return session, chunks


def write_sessions(path: str, writer: int, errors: Any) -> None:
    """One writer process: replaces its sessions again and again, journalled like ingest."""
    try:
        catalog = Catalog(Path(path))
        for version in range(REWRITES):
            for n in range(SESSIONS_PER_WRITER):
                session, chunks = _session(writer, n, version)
                catalog.journal_open(session.id)
                catalog.replace_session(session, chunks)
                catalog.journal_close(session.id)
        catalog.close()
    except BaseException:
        errors.put(traceback.format_exc())
        raise


def _read_while(stop: threading.Event, path: Path, errors: list[str]) -> Callable[[], None]:
    def read() -> None:
        catalog = Catalog(path)
        try:
            while not stop.is_set():
                catalog.list_sessions()
                catalog.search_lexical('"words"', 20)
        except sqlite3.Error:
            errors.append(traceback.format_exc())
        finally:
            catalog.close()

    return read


def test_several_processes_write_one_catalog_without_locking_errors(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    spawn = multiprocessing.get_context("spawn")
    errors = spawn.Queue()
    procs = [
        spawn.Process(target=write_sessions, args=(str(path), w, errors)) for w in range(WRITERS)
    ]
    stop, read_errors = threading.Event(), []
    reader = threading.Thread(target=_read_while(stop, path, read_errors))
    reader.start()
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    stop.set()
    reader.join()
    found = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert not found, found[0]
    assert [p.exitcode for p in procs] == [0] * WRITERS
    assert not read_errors, read_errors[0]

    catalog = Catalog(path)
    last = REWRITES - 1
    expected = {f"w{w}-s{n}" for w in range(WRITERS) for n in range(SESSIONS_PER_WRITER)}
    assert {s.id for s in catalog.list_sessions()} == expected
    assert catalog.counts() == {
        "sessions": len(expected),
        "turns": 6 * len(expected),
        "chunks": 2 * len(expected),
    }
    for sid in expected:
        assert catalog.session_row(sid)["content_hash"] == f"{sid}:{last}"
        assert catalog.chunk_ids(sid) == {f"{sid}:v{last}:0", f"{sid}:v{last}:1"}
    assert catalog.journal_pending() == []
    catalog.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
    assert len(catalog.search_lexical(f'"version {last}"', 1000)) == 2 * len(expected)


@pytest.mark.slow
@pytest.mark.integration
def test_two_ingests_into_one_data_dir_lose_nothing(
    tmp_path: Path, chroma_server: str, embeddings: Any
) -> None:
    """Two `companion ingest` processes of different files, one catalog, one Chroma server."""
    import os
    import subprocess
    import sys

    first = {
        k: v for k, v in SESSIONS_V1.items() if k.split(".")[0] in ("submissions", "ministers")
    }
    second = {k: v for k, v in SESSIONS_V1.items() if k not in first}
    assert first and second and set(first) | set(second) == set(SESSIONS_V1)
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        COMPANION_DATA_DIR=str(tmp_path / "data"),
        COMPANION_CHROMA__URL=chroma_server,
    )
    companion = str(Path(sys.executable).with_name("companion"))
    procs = [
        subprocess.Popen(
            [companion, "ingest", str(write_files(tmp_path / name, files))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, files in (("a", first), ("b", second))
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
        assert b"database is locked" not in err
    versions = [expected_versions(write_files(tmp_path / "all", SESSIONS_V1))]
    state = read_state(tmp_path / "data", embeddings, chroma_url=chroma_server)
    assert set(state.sessions) == set(versions[0])
    assert_settled(state)
    assert_whole(state, versions)
