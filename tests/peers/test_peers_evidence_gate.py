""""Nobody" only when nobody said anything on the topic, not when its words are common."""

from __future__ import annotations

from pathlib import Path

from companion.features.peers.service import PeerService
from companion.retrieval.context import Context
from tests.peers.corpus import ingest_session

PEOPLE = """\
people:
  - {id: tess, name: Tess Talker, recommendable: true}
  - {id: ann, name: Ann Asker, recommendable: true}
  - {id: ezra, name: Ezra Expert, recommendable: true}
"""
# "budget" and "review" are each said in half the turns, so neither is rare in the session
# and no single turn holds the IDF-weighted share of the topic; one turn says both.
TURNS = [
    f"[00:{i // 60:02d}:{i % 60:02d}] {'Tess Talker' if i % 2 else 'Ann Asker'}: "
    f"{'the budget sheet is on the shared drive' if i % 2 else 'the review slot moved again'}"
    f" for item {i}."
    for i in range(40)
] + ["[00:59:00] Ezra Expert: For the budget review I compare each line with last quarter."]


def _ranked(ctx: Context, tmp_path: Path, turns: list[str] = TURNS,
            **settings: object) -> list[str]:
    if not (tmp_path / "sessions").exists():
        ingest_session(ctx, tmp_path, "finance-sync.txt", turns, PEOPLE)
    service = PeerService(ctx, record=False)
    # No chunk may open the gate by its vector: only what was said decides here.
    service.settings = service.settings.model_copy(update={"min_relevance": 1.01, **settings})
    return [p.person.id for p in service.rank("budget review").people]


def test_two_topic_words_said_together_are_evidence_even_when_each_is_common(fake_ctx, tmp_path):
    found = _ranked(fake_ctx, tmp_path)
    assert "ezra" in found and set(found) <= {"ezra", "tess", "ann"}
    # The same session with the rule off: each word alone is too common, so nobody.
    assert _ranked(fake_ctx, tmp_path, evidence_distinct_terms=0) == []


def test_common_topic_words_never_said_together_are_no_evidence(fake_ctx, tmp_path):
    assert _ranked(fake_ctx, tmp_path, turns=TURNS[:-1]) == []


CHATTER = (
    "the weekend weather was lovely and we walked along the river with the children and the"
    " dog, then had a long lunch at the cafe near the station before the train home"
)
# Tess speaks long turns, all of them well before the kiln comes up.
KILN = [f"[00:00:{10 + 3 * i:02d}] Tess Talker: On day {i} {CHATTER}." for i in range(12)] + [
    "[00:01:10] Ann Asker: How hot should the kiln fire so the glaze does not run?",
    "[00:01:20] Ezra Expert: Fire the kiln to cone six and keep glazed pots a finger apart on the"
    " kiln shelf; a crowded shelf makes the glaze run.",
    "[00:01:40] Mo Helper: And I would add that you should always wear thick gloves, open the"
    " door slowly and wait until everything has settled before you lift anything out of there.",
    "[00:01:50] Ezra Expert: Let the kiln cool overnight; opening a hot kiln cracks the glaze.",
]
MO = PEOPLE + "  - {id: mo, name: Mo Helper, recommendable: true}\n"


def test_a_substantial_turn_where_the_topic_is_discussed_is_evidence_in_other_words(
        fake_ctx, tmp_path):
    ingest_session(fake_ctx, tmp_path, "pottery.txt", KILN, MO)
    service = PeerService(fake_ctx, record=False)

    def ranked(**update: object) -> list[str]:
        service.settings = service.settings.model_copy(
            update={"min_relevance": 1.01, **update})
        return [p.person.id for p in service.rank("firing a kiln without the glaze running").people]

    with_stretch = ranked()
    assert with_stretch[0] == "ezra" and "mo" in with_stretch
    assert "mo" not in ranked(evidence_stretch=1.01)  # only the topic's words: Mo has none
    assert "tess" not in with_stretch  # her chatter is far from where the kiln comes up
