"""`POST /v1/ask` on loopback under 1, 8 and 32 concurrent clients, bounded in count and time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def api_available() -> str | None:
    """None when the API can be served, else why not."""
    if not (ROOT / "companion" / "faces" / "api" / "app.py").is_file():
        return "companion/faces/api/app.py does not exist yet"
    try:
        from companion.faces.api.app import create_app  # noqa: F401
    except ImportError as exc:
        return f"the API does not import: {exc}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """The server's environment: the bench store, and limits high enough not to be measured."""
    env = dict(
        os.environ,
        COMPANION_EMBEDDING__THREADS="1",
        COMPANION_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    # Rate limiting is policy, not capacity: lift it so the benchmark measures the service.
    for name in (
        "RATE_LIMIT_PER_MINUTE",
        "RATE_LIMIT_BURST",
        "KEY_RATE_LIMIT_PER_MINUTE",
        "KEY_RATE_LIMIT_BURST",
    ):
        env[f"COMPANION_API__{name}"] = "1000000"
    return env


def create_admin_key(env: dict[str, str]) -> str:
    """A fresh admin key in the bench store (`companion keys create --scope admin --json`)."""
    out = subprocess.run(
        [str(BIN / "companion"), "keys", "create", "--scope", "admin", "--json", "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(out.stdout.strip().splitlines()[-1])["key"])


@contextmanager
def running_server(env: dict[str, str], port: int, timeout: float = 600.0) -> Iterator[str]:
    """`companion serve` on loopback until the block ends; yields its base URL."""
    import httpx

    proc = subprocess.Popen(
        [
            str(BIN / "companion"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"server exited: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}"
                )
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server not ready in time")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def load(
    url: str, key: str, questions: list[str], clients: int, requests: int, seconds: float
) -> dict[str, Any]:
    """`requests` asks spread over `clients` threads, stopping early at `seconds`."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(
            base_url=url, timeout=120, headers={"Authorization": f"Bearer {key}"}
        ) as http:
            while time.monotonic() < stop:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t = time.perf_counter()
                try:
                    r = http.post("/v1/ask", json={"question": questions[i % len(questions)]})
                    ok = r.status_code == 200
                    detail = f"{r.status_code} {r.text[:80]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, repr(exc)
                elapsed = time.perf_counter() - t
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "latencies": latencies,
        "errors": len(errors),
        "error_examples": errors[:3],
    }


def run_http(
    data_dir: Path, questions: list[str], plan: list[tuple[int, int]], seconds: float
) -> list[dict[str, Any]]:
    """One server, then each (clients, requests) step in turn."""
    env = server_env(data_dir)
    key = create_admin_key(env)
    with running_server(env, _free_port()) as url:
        load(url, key, questions[:4], 1, 4, 60)  # warm the worker
        return [load(url, key, questions, c, n, seconds) for c, n in plan]
