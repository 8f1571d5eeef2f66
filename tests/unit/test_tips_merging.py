"""Merging split-off paraphrases and the learned opposed-advice score (hand-made vectors)."""

from __future__ import annotations

import numpy as np

from companion.core.settings import TipsSettings
from companion.features.tips.clustering import Member
from companion.features.tips.merging import merges
from companion.features.tips.opposition import features, has_direction, shipped_model
from companion.features.tips.weights import uniform_terms

SETTINGS = TipsSettings(lexical_weight=0.0, centroid_shrink=0.0, merge_similarity=0.5,
                        merge_z=0.0)


def unit(*parts: float) -> np.ndarray:
    v = np.array(parts, dtype=np.float32)
    return v / np.linalg.norm(v)


def _members(rows: list[tuple[str, str, str, np.ndarray]]) -> list[Member]:
    return [Member(tip, quote, vector, session=session) for tip, quote, session, vector in rows]


def test_a_paraphrase_split_off_in_another_session_merges_into_the_bigger_tip():
    members = _members([
        ("tip-a", "Write your notes as you go.", "s1", unit(1, 0.1, 0, 0)),
        ("tip-a", "Do the notes straight after each patient.", "s2", unit(1, 0, 0.1, 0)),
        ("tip-b", "Get the notes down while it is fresh.", "s3", unit(1, 0.05, 0.05, 0)),
        ("tip-c", "Take a proper break every shift.", "s3", unit(0, 0, 0, 1)),
    ])
    assert merges(members, SETTINGS, uniform_terms) == {"tip-b": "tip-a"}
    # Turned off, nothing merges.
    off = SETTINGS.model_copy(update={"merge_similarity": 1.0})
    assert merges(members, off, uniform_terms) == {}


def test_tips_sharing_a_session_or_advising_opposite_things_stay_apart():
    side_by_side = _members([
        ("tip-a", "Write your notes as you go.", "s1", unit(1, 0.1, 0, 0)),
        ("tip-b", "Get the notes down while it is fresh.", "s1", unit(1, 0.05, 0.05, 0)),
        ("tip-c", "Take a proper break every shift.", "s2", unit(0, 0, 0, 1)),
    ])
    assert merges(side_by_side, SETTINGS, uniform_terms) == {}
    opposite = _members([
        ("tip-a", "Label the tubes before they go in the freezer.", "s1", unit(1, 0.1, 0, 0)),
        ("tip-b", "Don't label the tubes before they go in the freezer.", "s2",
         unit(1, 0.05, 0.05, 0)),
        ("tip-c", "Take a proper break every shift.", "s2", unit(0, 0, 0, 1)),
    ])
    assert merges(opposite, SETTINGS, uniform_terms) == {}


def test_a_reviewed_tip_is_never_merged_away_but_may_take_the_other_in():
    members = _members([
        ("tip-a", "Write your notes as you go.", "s1", unit(1, 0.1, 0, 0)),
        ("tip-a", "Do the notes straight after each patient.", "s2", unit(1, 0, 0.1, 0)),
        ("tip-b", "Get the notes down while it is fresh.", "s3", unit(1, 0.05, 0.05, 0)),
        ("tip-c", "Take a proper break every shift.", "s3", unit(0, 0, 0, 1)),
    ])
    assert merges(members, SETTINGS, uniform_terms, keep={"tip-a"}.__contains__) == {
        "tip-b": "tip-a"}
    assert merges(members, SETTINGS, uniform_terms, keep={"tip-b"}.__contains__) == {
        "tip-a": "tip-b"}
    both = {"tip-a", "tip-b"}.__contains__
    assert merges(members, SETTINGS, uniform_terms, keep=both) == {}


def test_the_shipped_opposition_score_links_opposite_advice_not_agreeing_advice():
    model = shipped_model()
    # Same subject, one says as you go, the other at the end: opposed.
    assert model.opposed("Answer every email the same day it arrives.",
                         "Leave your email until the end of the day and answer it in one go.",
                         cosine=0.7, overlap=0.4)
    # Same subject, no direction differs: never opposed, however close.
    agree = ("Answer every email the same day it arrives.",
             "Reply to each email on the day you get it.")
    assert not has_direction(features(*agree, cosine=0.95, overlap=0.6))
    assert model.probability(*agree, cosine=0.95, overlap=0.6) == 0.0
    # Opposite directions on unrelated subjects: not opposed.
    assert not model.opposed("Answer every email the same day it arrives.",
                             "Leave the deep clean until the end of the week.",
                             cosine=0.05, overlap=0.0)


def test_a_quote_that_starts_a_tip_is_in_the_index_once():
    """The founding quote counts once in the average a later quote is judged by."""
    from companion.features.tips.clustering import TipIndex
    from companion.features.tips.extraction import Candidate
    from companion.features.tips.placement import place_session

    cand = Candidate("s1", "Ann", 0, None, None, "Write your notes as you go.", "advice", None)
    index = TipIndex(SETTINGS)
    created: set[str] = set()
    placement = place_session(index, [cand], [unit(1, 0, 0, 0)], {}, created.__contains__,
                              lambda tip_id, _cand, _vector: created.add(tip_id))
    assert placement.created == sorted(created) and len(created) == 1
    assert len(index.closeness(unit(1, 0, 0, 0))) == 1
