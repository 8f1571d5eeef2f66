"""Browser tests: Chromium from Debian (Playwright's own download is blocked here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.live import Server, serve_for_tests

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_binary() -> str | None:
    candidates = (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches the system Chromium; without one the tests are skipped,
    except under CI=true, where they fail."""
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":  # CI must run them: a missing browser fails
            pytest.fail("CI=true but no Chromium binary: install Debian's `chromium`")
        pytest.skip("no Chromium binary: install Debian's `chromium` (make browser) to run the "
                    "widget's browser tests")
    return {**browser_type_launch_args, "executable_path": binary, "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Iterator[Server]:
    """`companion serve` on a data dir with one ingested session, and keys for it."""
    yield from serve_for_tests(tmp_path_factory, embeddings)
