"""bench/RESULTS.md is generated from bench/results.json; a hand edit fails the check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(folder / "results.py"), "--check"],
        capture_output=True, text=True, cwd=folder,
    )


def test_committed_results_md_is_what_results_json_generates() -> None:
    done = _check(BENCH)
    assert done.returncode == 0, done.stdout


def test_a_hand_edited_figure_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "bench"
    copy.mkdir()
    for name in ("results.py", "results.json", "RESULTS.md"):
        shutil.copy(BENCH / name, copy / name)
    text = (copy / "RESULTS.md").read_text()
    (copy / "RESULTS.md").write_text(text.replace("| yes |", "| **no** |", 1) + "\n")
    done = _check(copy)
    assert done.returncode == 1 and "differs" in done.stdout
