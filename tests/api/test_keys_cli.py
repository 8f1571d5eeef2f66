"""`companion keys` as an operator runs it: create shows the key once, list never does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def companion(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", "keys", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_keys_create_list_revoke(tmp_path: Path):
    p = companion("create", "--scope", "widget", "--origin", "https://intranet.example/",
                  "--origin", "http://localhost:8000", "--name", "intranet", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    created = json.loads(p.stdout)
    assert set(created) >= {"id", "key", "scope", "origins"}
    assert created["scope"] == "widget"
    assert created["origins"] == ["http://localhost:8000", "https://intranet.example"]

    listed = json.loads(companion("list", "--json", cwd=tmp_path).stdout)
    assert [k["id"] for k in listed] == [created["id"]]
    assert created["key"] not in json.dumps(listed) and listed[0]["revoked_at"] is None

    p = companion("revoke", created["id"], cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith(f"revoked {created['id']}")
    assert json.loads(companion("list", "--json", cwd=tmp_path).stdout)[0]["revoked_at"]

    human = companion("create", "--scope", "admin", cwd=tmp_path)
    assert "key: lc_" in human.stdout and "only time" in human.stdout


def test_keys_errors_are_one_line(tmp_path: Path):
    for args, message in [
        (("create", "--scope", "widget"), "error: a widget key needs at least one --origin"),
        (("create", "--scope", "root"), "error: unknown scope 'root'"),
        (("create", "--scope", "widget", "--origin", "intranet"), "error: not an origin"),
        (("revoke", "key_missing"), "error: no API key with id 'key_missing'"),
    ]:
        p = companion(*args, cwd=tmp_path)
        assert p.returncode == 1 and "Traceback" not in p.stderr
        assert p.stderr.startswith(message) and len(p.stderr.strip().splitlines()) == 1
