"""The people directory: loading people.yaml, its errors, and linking speakers to people."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion.core.settings import Settings
from companion.features.people import (
    PeopleDirectory,
    PeopleFileError,
    load_people_file,
    normalise_name,
    resolve_speaker,
)
from companion.retrieval.context import Context
from companion.storage.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]

PEOPLE = """\
people:
  - id: amara-okafor
    name: Dr Amara Okafor
    aliases: ["Amara Okafor", "Amara"]
    role: Deputy Director
    team: Strategy
    contact: amara@example.org
    recommendable: true
  - id: priya-raman
    name: Priya Raman
    recommendable: true
  - id: hannah-whitfield
    name: Hannah Whitfield
    aliases: [Hannah]
"""


def write(tmp_path: Path, text: str, name: str = "people.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def directory(tmp_path: Path) -> PeopleDirectory:
    directory = PeopleDirectory(Catalog(tmp_path / "catalog.sqlite3"))
    directory.upsert(load_people_file(write(tmp_path, PEOPLE)))
    return directory


@pytest.mark.parametrize(
    "label",
    ["Dr Amara Okafor", "Amara Okafor", "amara  okafor", "  AMARA OKAFOR ", "Dr. Amara Okafor",
     "Prof Amara Okafor", "Amara", "Dame Amara Okafor"],
)
def test_speaker_labels_link_whatever_the_case_spacing_or_title(directory, label):
    assert directory.resolve_speaker(label) == "amara-okafor"


@pytest.mark.parametrize(
    "label", ["Ms Priya Raman", "Rt Hon Priya Raman", "The Rt Hon Priya Raman", "Hon. Priya Raman",
              "Mrs priya raman", "Sir Priya Raman"],
)
def test_titles_are_ignored(directory, label):
    assert directory.resolve_speaker(label) == "priya-raman"


@pytest.mark.parametrize("label", ["Priya", "Okafor", "Participant 3", "Guest", "", None, "Dr"])
def test_first_names_and_unknown_speakers_are_not_guessed(directory, label):
    # "Priya" was never declared as an alias, so it links to nobody.
    assert directory.resolve_speaker(label) is None


def test_resolve_speaker_function_and_find_by_id_or_alias(directory):
    assert resolve_speaker(directory.catalog, "Hannah") == "hannah-whitfield"
    assert directory.find("priya-raman").name == "Priya Raman"
    assert directory.find("amara").id == "amara-okafor"
    assert directory.find("nobody") is None


def test_loaded_people_keep_their_fields_and_recommendable_defaults_to_no(directory):
    people = {p.id: p for p in directory.list()}
    assert people["amara-okafor"].contact == "amara@example.org"
    assert people["amara-okafor"].recommendable is True
    assert people["hannah-whitfield"].recommendable is False  # opt-in only


def test_reloading_updates_people_and_replaces_their_aliases(directory, tmp_path):
    changed = PEOPLE.replace('aliases: ["Amara Okafor", "Amara"]', 'aliases: ["Amara Okafor"]')
    report = directory.upsert(load_people_file(write(tmp_path, changed, "again.yaml")))
    assert sorted(report.updated) == ["amara-okafor", "hannah-whitfield", "priya-raman"]
    assert directory.resolve_speaker("Amara") is None
    assert directory.resolve_speaker("Amara Okafor") == "amara-okafor"


def test_an_alias_already_taken_by_someone_else_is_refused(directory, tmp_path):
    other = "people:\n  - id: amara-smith\n    name: Amara Smith\n    aliases: [Amara]\n"
    path = write(tmp_path, other, "other.yaml")
    with pytest.raises(PeopleFileError) as err:
        directory.upsert(load_people_file(path), source=str(path))
    assert err.value.detail == (
        f"{path}:4: alias 'Amara' already names 'amara-okafor' in the directory"
    )
    assert directory.resolve_speaker("Amara") == "amara-okafor"  # nothing half-written


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("people:\n  - id: a\n    name: [unclosed\n", 4, "invalid YAML"),
        ("people:\n  - id: a\n    name: A\n  - name: B\n", 4, "person is missing `id`"),
        ("people:\n  - id: a\n    role: x\n", 2, "person is missing `name`"),
        ("people:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", 4,
         "duplicate id 'a' (first used on line 2)"),
        ("people:\n  - id: a\n    name: A\n    aliases: [Sam]\n  - id: b\n    name: B\n"
         "    aliases: [x, 'sam ']\n", 7, "alias 'sam' would name both 'a' and 'b'"),
        ("people:\n  - id: a\n    name: Dr Jo Smith\n  - id: b\n    name: B\n"
         "    aliases: [Jo Smith]\n", 6, "alias 'Jo Smith' would name both 'a' and 'b'"),
        ("people:\n  - id: a\n    name: A\n    recommendable: maybe\n", 4,
         "`recommendable` must be true or false"),
        ("people:\n  - id: a\n    name: A\n    aliases: Sam\n", 4, "`aliases` must be a list"),
        ("- id: a\n  name: A\n", 1, "expected a top-level `people:` list"),
    ],
)
def test_bad_people_files_name_the_file_and_line(tmp_path, text, line, reason):
    path = write(tmp_path, text)
    with pytest.raises(PeopleFileError) as err:
        load_people_file(path)
    assert err.value.line == line
    assert err.value.detail.startswith(f"{path}:{line}: {reason}")


def test_normalise_name():
    assert normalise_name(" Dr.  Amara   OKAFOR ") == "amara okafor"
    assert normalise_name("Mei-Lin Chen") == normalise_name("Mei Lin Chen")
    assert normalise_name("Kirsty Williams AM") == "kirsty williams"


def test_sample_people_file_loads_and_links_every_named_speaker(tmp_path):
    ctx = Context(Settings(data_dir=tmp_path / "data"))
    directory = PeopleDirectory(ctx.catalog)
    directory.upsert(load_people_file(ROOT / "samples" / "people.yaml"))
    assert directory.resolve_speaker("Oliver Grant") == "ollie-grant"
    assert directory.resolve_speaker("Mei-Lin Chen") == "mei-lin-chen"
    assert directory.resolve_speaker("Participant 3") is None
    ctx.close()


def companion(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_people_cli_load_list_and_one_line_errors(tmp_path):
    write(tmp_path, PEOPLE)
    p = companion("people", "load", "people.yaml", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "3 added, 0 updated; 2 of 3 may be suggested as peers"
    rows = json.loads(companion("people", "list", "--json", cwd=tmp_path).stdout)
    assert [r["id"] for r in rows] == ["amara-okafor", "hannah-whitfield", "priya-raman"]
    assert set(rows[0]) == {"id", "name", "aliases", "role", "team", "contact", "recommendable"}

    write(tmp_path, "people:\n  - id: x\n", "bad.yaml")
    p = companion("people", "load", "bad.yaml", cwd=tmp_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip() == "error: bad.yaml:2: person is missing `name`"
