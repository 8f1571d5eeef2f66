"""One written session and its people directory, ingested for a peers test."""

from __future__ import annotations

from pathlib import Path

from companion.app import build_pipeline
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context


def ingest_session(ctx: Context, tmp_path: Path, name: str, lines: list[str], people: str) -> None:
    """Ingest `lines` as the transcript `name` and load `people` (YAML) as the directory."""
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(people, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
