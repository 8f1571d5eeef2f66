"""The compose deployment without Docker: `companion serve` with several workers on `chroma run`.

`compose.yaml` runs exactly these processes (an API container with 4 workers and a Chroma server
container); Docker cannot run here, so this test runs the same commands and settings directly.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COMPANION = Path(sys.executable).with_name("companion")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "sessions"
FILES = (
    "2025-09-working-with-ministers-first-hundred-days.vtt",
    "2025-09-working-with-ministers-first-hundred-days.yaml",
    "2025-11-writing-submissions-workshop.txt",
    "2025-11-writing-submissions-workshop.yaml",
)
QUESTIONS = (
    "How do I win a minister's confidence early on?",
    "Where should the recommendation go in a submission?",
    "Should I ring the private office before sending something contentious?",
    "How long should a submission be?",
)


def _env(data: Path, chroma_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        COMPANION_DATA_DIR=str(data),
        COMPANION_CHROMA__URL=chroma_url,
        # Rate limits are policy, not capacity; this test is one client sending a burst.
        COMPANION_API__RATE_LIMIT_BURST="1000",
        COMPANION_API__KEY_RATE_LIMIT_BURST="1000",
    )


def _run(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run([str(COMPANION), *args], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def served(chroma_server: str, tmp_path: Path, unused_port: int) -> Iterator[tuple[str, str, Path]]:
    """Sessions ingested into the Chroma server, then `companion serve --workers 2` over it."""
    corpus = tmp_path / "sessions"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(SAMPLES / name, corpus / name)
    env = _env(tmp_path / "data", chroma_server)
    _run(["ingest", str(corpus)], env)
    key = json.loads(_run(["keys", "create", "--scope", "admin", "--json"], env))["key"]
    port = unused_port
    proc = subprocess.Popen(
        [str(COMPANION), "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/readyz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("companion serve was not ready in 150 s")
        yield url, key, tmp_path / "data"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def _ask(url: str, key: str, question: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/v1/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read())


def test_several_workers_answer_from_a_chroma_server(served: tuple[str, str, Path]) -> None:
    url, key, data = served
    assert not (data / "chroma").exists(), "vectors must live on the Chroma server"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: _ask(url, key, q), QUESTIONS * 4))
    assert [status for status, _ in results] == [200] * len(results)
    for (_, body), question in zip(results, QUESTIONS * 4, strict=True):
        assert not body["abstained"], question
        assert body["citations"], question
        assert {c["session_id"] for c in body["citations"]} <= {
            "2025-09-working-with-ministers-first-hundred-days",
            "2025-11-writing-submissions-workshop",
        }
    # Both workers answered the same way: every repeat of a question got the same citations.
    by_question: dict[str, set[str]] = {}
    for (_, body), question in zip(results, QUESTIONS * 4, strict=True):
        cited = json.dumps([(c["session_id"], c["quote"]) for c in body["citations"]])
        by_question.setdefault(question, set()).add(cited)
    assert all(len(v) == 1 for v in by_question.values()), by_question
