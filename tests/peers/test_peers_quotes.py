"""A peer suggestion quotes what the person said about the topic, never their welcome."""

from __future__ import annotations

from companion.core.framing import is_framing
from companion.core.housekeeping import is_housekeeping
from companion.features.peers.service import PeerService
from tests.peers.corpus import ingest_session

PEOPLE = """\
people:
  - {id: ezra, name: Ezra Expert, recommendable: true}
  - {id: ann, name: Ann Asker, recommendable: true}
"""
# Ezra's welcome names the topic's words more often than any of his advice does.
TURNS = [
    "[00:00:05] Ezra Expert: Hello everyone, and welcome to the kiln and glaze evening at the"
    " kiln studio.",
    "[00:00:20] Ezra Expert: I'm going to talk about the kiln and the glaze.",
    "[00:00:40] Ann Asker: How hot should the kiln fire so the glaze does not run?",
    "[00:00:55] Ezra Expert: Fire to cone six and keep glazed pots a finger apart on the shelf,"
    " because a crowded shelf makes the glaze run into its neighbour.",
    "[00:01:20] Ezra Expert: Let the kiln cool overnight before you open it; a hot kiln opened"
    " early cracks the glaze.",
]


def test_quotes_are_substance_not_welcomes_or_talk_plans(fake_ctx, tmp_path):
    ingest_session(fake_ctx, tmp_path, "pottery.txt", TURNS, PEOPLE)

    result = PeerService(fake_ctx, record=False).recommend("kiln glaze")
    ezra = next(p for p in result.suggestions if p.person_id == "ezra")
    quotes = [e.quote for e in ezra.evidence]
    assert quotes, "Ezra gave advice on the topic: his suggestion shows it"
    assert all(not is_housekeeping(q) and not is_framing(q) for q in quotes), quotes
    assert any("cone six" in q or "cool overnight" in q for q in quotes), quotes


CHAIRED = [
    "[00:00:05] Cara Chair: Hello everyone, and welcome to the kiln and glaze evening.",
    "[00:00:15] Cara Chair: Tonight's session is about firing the kiln and the glaze.",
] + TURNS[2:]


def test_a_chair_who_only_welcomes_and_frames_the_session_is_not_suggested(fake_ctx, tmp_path):
    people = PEOPLE + "  - {id: cara, name: Cara Chair, recommendable: true}\n"
    ingest_session(fake_ctx, tmp_path, "pottery.txt", CHAIRED, people)

    suggested = [p.person_id for p in
                 PeerService(fake_ctx, record=False).recommend("kiln glaze").suggestions]
    assert suggested and suggested[0] == "ezra"
    assert "cara" not in suggested
