"""An app per test over a private copy of a small ingested corpus; the model loads once."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.support import ORIGIN, Api
from companion.auth.keys import KeyStore
from companion.core.settings import APISettings, Settings
from companion.faces.api import create_app
from companion.retrieval.context import Context

SUBMISSIONS = """\
[00:00:05] Amara Okafor: Put the decision you need in the first line of the submission.
[00:00:15] Tom Reyes: What if the private office asks for more background on the policy?
[00:00:25] Amara Okafor: Then add an annex, and never bury the ask under the background.
[00:00:40] Tom Reyes: How long should a submission to a minister be?
[00:00:50] Amara Okafor: Two pages at most; ministers read submissions late at night in the red box.
"""

# Participants did not consent to sharing: admins may search it, widget users never see it.
PRIVATE = """\
[00:00:05] Priya Shah: The pension transfer paperwork for the Leeds office was lost twice.
[00:00:20] Dan Cole: The pension transfer forms now go through the regional HR team in Leeds.
"""
PRIVATE_META = "title: Restructure listening session\nconsent: false\n"


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "submissions-workshop.txt").write_text(SUBMISSIONS, encoding="utf-8")
    (folder / "restructure-listening.txt").write_text(PRIVATE, encoding="utf-8")
    (folder / "restructure-listening.yaml").write_text(PRIVATE_META, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def api_data_dir(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Path:
    """A data directory with the small corpus ingested once (tests copy it)."""
    from companion.app import build_pipeline

    root = tmp_path_factory.mktemp("api")
    context = Context(Settings(data_dir=root / "data"), embeddings=embeddings)
    report = build_pipeline(context).ingest([write_corpus(root / "corpus")])
    assert report.ok and len(report.added) == 2, report
    context.close()
    return root / "data"


@pytest.fixture
def make_api(
    tmp_path: Path, api_data_dir: Path, embeddings: Any
) -> Iterator[Callable[..., Api]]:
    """Start an app on a private copy of the corpus; keyword arguments override APISettings."""
    started: list[tuple[TestClient, Context]] = []

    def start(raise_server_exceptions: bool = True, client_address: str = "testclient",
              **api: Any) -> Api:
        data = tmp_path / f"data{len(started)}"
        shutil.copytree(api_data_dir, data)
        settings = Settings(data_dir=data, api=APISettings(**api))
        ctx = Context(settings, embeddings=embeddings)
        keys = KeyStore(ctx.catalog)
        admin = keys.create("admin", name="tests").key
        widget = keys.create("widget", [ORIGIN], name="intranet").key
        client = TestClient(create_app(ctx=ctx), raise_server_exceptions=raise_server_exceptions,
                            client=(client_address, 50000))
        client.__enter__()
        started.append((client, ctx))
        return Api(client, ctx, admin, widget, keys)

    yield start
    for client, ctx in started:
        client.__exit__(None, None, None)
        ctx.close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    """An app with default limits."""
    return make_api()
