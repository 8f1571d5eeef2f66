"""One person under three labels in three sessions, with a colleague who shares the surname."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.app import build_pipeline
from companion.core.contact import mailto_link
from companion.core.identity import one_label_per_person
from companion.faces.cli.peers import render
from companion.features.ask.service import AnswerService
from companion.features.peers.models import PeerResult, PeerSuggestion
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context

pytestmark = pytest.mark.slow

SESSIONS = {
    "lab-week-1.txt": [
        "[00:00:05] Dr Selin Okonkwo-Hale: When I calibrate the spectrometer I run the neon lamp"
        " first and log every calibration peak before the samples go in.",
        "[00:00:30] Bram Okonkwo-Hale: I look after the freezer inventory and the sample labels.",
    ],
    "lab-week-2.txt": [
        "[00:00:05] Selin Okonkwo-Hale: Spectrometer calibration drifts overnight, so I always"
        " recalibrate the spectrometer against the neon lamp each morning.",
        "[00:00:30] Ines Duarte: Selin Okonkwo-Hale is the one who taught me spectrometer"
        " calibration.",
    ],
    "lab-week-3.txt": [
        "[00:00:05] Selin: For the spectrometer calibration I keep a log of the peak positions"
        " and compare them with last week's calibration.",
        "[00:00:30] Bram Okonkwo-Hale: The freezer alarm went off again on Tuesday night.",
        "[00:00:50] Ines: Selin Okonkwo-Hale checked my spectrometer calibration log too.",
    ],
}
PEOPLE = """\
people:
  - {id: selin, name: Selin Okonkwo-Hale, role: Lab scientist, recommendable: true,
     contact: selin@example.org}
  - {id: bram, name: Bram Okonkwo-Hale, recommendable: true}
  - {id: ines, name: Ines Duarte, recommendable: true}
"""
TOPIC = "calibrating the spectrometer"


@pytest.fixture
def lab(ctx: Context, tmp_path: Path) -> Context:
    folder = tmp_path / "sessions"
    folder.mkdir()
    for name, lines in SESSIONS.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    return ctx


def test_one_person_under_three_labels_gets_evidence_from_all_three_sessions(lab):
    result = PeerService(lab, record=False).recommend(TOPIC, limit=3)
    top = result.suggestions[0]
    assert top.person_id == "selin"
    assert top.reason.startswith("Spoke about it in 3 sessions")
    # The colleague who shares her surname is never credited with her words.
    assert "bram" not in [s.person_id for s in result.suggestions]
    # Named by one colleague under two labels: one name, once.
    assert "named by Ines Duarte" in top.reason and "Ines," not in top.reason
    assert "suggested" not in top.reason


def test_the_asker_is_left_out_under_any_of_their_labels(lab):
    for asker in ("Selin", "Dr Selin Okonkwo-Hale", "selin"):
        result = PeerService(lab, record=False).recommend(TOPIC, exclude=asker, limit=3)
        assert "selin" not in [s.person_id for s in result.suggestions]


def test_answer_citations_keep_the_label_and_name_the_person(lab):
    answer = AnswerService(lab).ask("How do you calibrate the spectrometer?",
                                    generator="extractive")
    expected = {"Dr Selin Okonkwo-Hale": "selin", "Selin Okonkwo-Hale": "selin", "Selin": "selin",
                "Bram Okonkwo-Hale": "bram", "Ines Duarte": "ines", "Ines": "ines"}
    assert answer.citations
    assert {c.speaker for c in answer.citations} & {"Selin", "Dr Selin Okonkwo-Hale"}
    for c in answer.citations:
        assert c.person_id == expected[c.speaker]


def test_cli_shows_role_reason_and_a_mailto_link_without_counters():
    suggestion = PeerSuggestion(person_id="selin", name="Selin Okonkwo-Hale", role="Lab scientist",
                                contact="selin@example.org", score=1.0,
                                reason="Spoke about it in 3 sessions")
    text = render(PeerResult(topic=TOPIC, suggestions=[suggestion]))
    assert "Selin Okonkwo-Hale — Lab scientist" in text
    assert "mailto:selin@example.org" in text
    assert mailto_link("Room 4, ext. 221") is None


def test_a_summary_lists_one_participant_per_person():
    same = one_label_per_person(["Dr Selin Okonkwo-Hale", "Selin", "Bram Okonkwo-Hale"])
    assert same["Selin"] == same["Dr Selin Okonkwo-Hale"] == "Dr Selin Okonkwo-Hale"
    assert same["Bram Okonkwo-Hale"] == "Bram Okonkwo-Hale"
