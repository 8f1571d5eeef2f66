"""Browser tests: Chromium from Debian (Playwright's own download is blocked here)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

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
    """pytest-playwright launches the system Chromium, or the browser tests are skipped."""
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium binary: install Debian's `chromium` (make browser) to run the "
                    "widget's browser tests")
    return {**browser_type_launch_args, "executable_path": binary, "headless": True,
            "args": CHROMIUM_ARGS}
