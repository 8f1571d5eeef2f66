"""Expert finding localises the topic first: who spoke where it is discussed, not who spoke most."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from companion.app import build_pipeline
from companion.core.terms import content_terms
from companion.features.peers.localise import bm25_turns, localise, rescale, turn_similarity
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context

CHATTER = (
    "the weekend weather was lovely and we walked along the river with the children and the"
    " dog, then had a long lunch at the cafe near the station before the train home"
)
PLANS = ("Saturday", "Sunday", "Monday", "the holidays", "half term", "next weekend")
# Tess speaks most words of the evening, all of them before the kiln comes up.
WORKSHOP = [f"[00:00:{10 + 5 * i:02d}] Tess Talker: On {day} {CHATTER}."
            for i, day in enumerate(PLANS)] + [
    "[00:01:10] Ann Asker: How hot should the kiln fire so the glaze does not run?",
    "[00:01:20] Ezra Expert: Fire the kiln to cone six and keep the glazed pots a finger apart on"
    " the kiln shelf; a crowded shelf or a hotter firing is what makes the glaze run down onto"
    " the shelf, so I always check the cone pack through the spy hole.",
    "[00:01:40] Ann Asker: And how long should the kiln cool?",
    "[00:01:50] Ezra Expert: Let the kiln cool overnight with the bung in before opening it;"
    " opening a hot kiln cracks the glaze, and a slow cool gives the glaze time to settle and"
    " stay glossy on every pot.",
]
PEOPLE = """\
people:
  - {id: tess, name: Tess Talker, recommendable: true}
  - {id: ann, name: Ann Asker, recommendable: true}
  - {id: ezra, name: Ezra Expert, recommendable: true}
  - {id: olive, name: Olive Optout, recommendable: false}
"""
TOPIC = "firing a kiln without the glaze running"


def _store(ctx: Context, tmp_path: Path, sessions: dict[str, list[str]]) -> Context:
    folder = tmp_path / "sessions"
    folder.mkdir()
    for name, lines in sessions.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    return ctx


def ranked(ctx: Context, topic: str = TOPIC) -> list[str]:
    return [p.person.id for p in PeerService(ctx, record=False).rank(topic).people]


def test_bm25_rates_the_turns_holding_the_topic_and_rescale_spans_median_to_max():
    texts = ["we fire the kiln to cone six", "lunch was nice", "the kiln shelf", "see you"]
    scores = bm25_turns(content_terms("kiln firing cone"), [Counter(content_terms(t))
                                                             for t in texts])
    assert scores[0] > scores[2] > 0 and scores[1] == scores[3] == 0
    scaled = rescale(scores)
    assert scaled.max() == 1.0 and scaled.min() == 0.0 and scaled[0] == 1.0
    assert not rescale(np.ones(4)).any()  # a flat signal says nothing


def test_a_turn_takes_the_best_cosine_of_the_chunks_holding_it():
    matrix = np.array([[1.0, 0.0], [0.0, 1.0]])
    sims = turn_similarity(4, [(0, 1), (1, 2)], matrix, np.array([1.0, 0.0]))
    assert sims is not None
    assert list(sims) == pytest.approx([1.0, 1.0, 0.0, 0.0])  # turn 3: no chunk, the lowest
    only_words = localise(content_terms("kiln"), [Counter(["kiln"]), Counter(["lunch"])])
    assert only_words.dense is None and list(only_words.relevance(0.5)) == [1.0, 0.0]


def test_the_person_who_explained_the_topic_beats_the_one_who_talked_most(fake_ctx, tmp_path):
    ctx = _store(fake_ctx, tmp_path, {"pottery-evening.txt": WORKSHOP})
    people = ranked(ctx)
    assert people[0] == "ezra"  # Tess spoke most words, all of them about something else


def test_answers_to_colleagues_questions_count_more_than_asking(fake_ctx, tmp_path):
    ctx = _store(fake_ctx, tmp_path, {"pottery-evening.txt": WORKSHOP})
    assert "ann" not in ranked(ctx)  # she only asked: no evidence of knowing


def test_an_opted_out_person_who_said_most_about_it_is_never_suggested(fake_ctx, tmp_path):
    lines = WORKSHOP + [
        "[00:02:30] Olive Optout: I have fired kilns for years: cone six, glazed pots apart on"
        " the kiln shelf, slow cooling, and the glaze never runs when the kiln is not crowded.",
    ]
    ctx = _store(fake_ctx, tmp_path, {"pottery-evening.txt": lines})
    people = ranked(ctx)
    assert "olive" not in people and people[0] == "ezra"
    result = PeerService(ctx, record=False).recommend(TOPIC)
    assert "olive" not in [s.person_id for s in result.suggestions]


def test_a_topic_no_one_spoke_about_gets_nobody(fake_ctx, tmp_path):
    ctx = _store(fake_ctx, tmp_path, {"pottery-evening.txt": WORKSHOP})
    assert ranked(ctx, "configuring a laptop VPN client") == []
