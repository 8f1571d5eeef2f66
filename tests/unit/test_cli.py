"""The `companion` command as a user runs it: real process, JSON contracts, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TXT = """[00:00:05] Amara Okafor: Put the decision you need in the first line of the submission.
[00:00:15] Tom Reyes: What if the private office asks for more background?
[00:00:25] Amara Okafor: Then add an annex; never bury the ask under the background.
"""


def companion(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_user_errors_are_one_line_without_traceback(tmp_path):
    p = companion("ingest", str(tmp_path / "missing.vtt"), cwd=tmp_path)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.vtt'}: no such file or folder"
    ]
    p = companion("sessions", "show", "nope", cwd=tmp_path)
    assert p.returncode == 1 and p.stderr.strip() == "error: no session with id 'nope'"


def test_ingest_ask_json_batch_and_sessions_list(tmp_path):
    (tmp_path / "submissions.txt").write_text(TXT, encoding="utf-8")
    p = companion("ingest", "submissions.txt", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("1 added, 0 replaced, 0 unchanged, 0 failed")

    p = companion("sessions", "list", "--json", cwd=tmp_path)
    rows = json.loads(p.stdout)
    assert [set(r) for r in rows] == [{"id", "title", "source", "kind", "date", "turns", "chunks"}]
    assert rows[0]["id"] == "submissions" and rows[0]["turns"] == 3

    p = companion("ask", "Where does the decision go in a submission?", "--json", cwd=tmp_path)
    answer = json.loads(p.stdout)
    assert answer["abstained"] is False
    cit = answer["citations"][0]
    assert set(cit) == {
        "session_id",
        "session_title",
        "speaker",
        "start",
        "end",
        "turn_start",
        "turn_end",
        "quote",
        "url",
        "person_id",
    }
    assert cit["speaker"] == "Amara Okafor" and cit["start"] == 5.0 and cit["turn_start"] == 0
    assert cit["quote"] in TXT

    (tmp_path / "q.txt").write_text(
        "Where does the decision go in a submission?\n\nHow do I descale a kettle?\n"
    )
    p = companion("ask", "--batch", "q.txt", "--json", cwd=tmp_path)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert [a["abstained"] for a in lines] == [False, True]
    assert lines[1]["citations"] == []
