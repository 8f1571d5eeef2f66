"""The same ingest and ask against a real `chroma run` server instead of embedded Chroma."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.answering.service import AnswerService
from companion.context import Context
from companion.settings import ChromaSettings, Settings
from ingest.service import build_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server on a free loopback port, stopped after the test."""
    if not CHROMA.exists():
        pytest.skip(f"no chroma CLI at {CHROMA}")
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not answer its heartbeat in 20 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path, embeddings):
    settings = Settings(data_dir=tmp_path / "data", chroma=ChromaSettings(url=chroma_server))
    ctx = Context(settings, embeddings=embeddings)
    src = tmp_path / "briefing.txt"
    src.write_text(
        "Amara Okafor: Send the private office a one-page note before the meeting.\n"
        "Tom Reyes: Does that include the lines to take?\n"
        "Amara Okafor: Yes, lines to take go on the same page, with the decision at the top.\n",
        encoding="utf-8",
    )
    report = build_pipeline(ctx).ingest([src])
    assert report.added == ["briefing"]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
    assert ctx.vectors.count() == ctx.catalog.counts()["chunks"] > 0
    answer = AnswerService(ctx).ask("What should I send the private office before a meeting?")
    assert not answer.abstained
    assert answer.citations[0].speaker == "Amara Okafor"
    assert all(ctx.verifier.citation_is_valid(c) for c in answer.citations)
    assert build_pipeline(ctx).ingest([src]).chunks_embedded == 0
