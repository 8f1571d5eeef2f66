"""A real `companion serve` for the browser tests: one ingested session, keys for itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from companion.auth.keys import KeyStore
from companion.core.settings import Settings
from companion.retrieval.context import Context

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPT = """\
[00:00:05] Amara Okafor: Put the decision you need in the first line of the submission.
[00:00:15] Tom Reyes: What if the private office asks for more background on the policy?
[00:01:25] Amara Okafor: Then add an annex, and never bury the ask under the background.
[00:02:40] Tom Reyes: How long should a submission to a minister be?
[00:02:50] Amara Okafor: Two pages at most; ministers read submissions late at night in the red box.
"""
QUESTION = "How long should a submission to a minister be?"


@dataclass
class Server:
    base: str
    widget_key: str
    admin_key: str

    @property
    def demo(self) -> str:
        return f"{self.base}/demo?key={self.widget_key}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_for_tests(
    tmp_path_factory: pytest.TempPathFactory, embeddings: Any
) -> Iterator[Server]:
    """`companion serve` on a data dir with one ingested session and a widget key for itself."""
    from companion.app import build_pipeline

    root = tmp_path_factory.mktemp("e2e")
    (root / "writing-submissions.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (root / "writing-submissions.yaml").write_text(
        "title: Writing submissions workshop\ndate: 2025-11-04\n", encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ctx = Context(Settings(data_dir=root / "data"), embeddings=embeddings)
    assert build_pipeline(ctx).ingest([root / "writing-submissions.txt"]).ok
    keys = KeyStore(ctx.catalog)
    widget = keys.create("widget", [base], name="demo page").key
    admin = keys.create("admin", name="e2e").key
    ctx.close()

    env = {**os.environ, "COMPANION_DATA_DIR": str(root / "data"), "HF_HUB_OFFLINE": "1"}
    log = (root / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"companion serve exited: {(root / 'serve.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("companion serve was not ready within 180 s")
            time.sleep(0.5)
        yield Server(base, widget, admin)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


