"""Tip clustering, opposition and housekeeping logic, with hand-made vectors (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from companion.core.settings import TipsSettings
from companion.features.tips.clustering import Member, TipIndex
from companion.features.tips.contradictions import contradiction_pairs
from companion.features.tips.housekeeping import (
    HousekeepingFilter,
    drop_housekeeping,
    shipped_filter,
)
from companion.features.tips.polarity import opposed, timing
from companion.features.tips.similarity import Centroid, action_text, centred

SETTINGS = TipsSettings(lexical_weight=0.0)


def unit(*parts: float) -> np.ndarray:
    v = np.array(parts, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_framing_is_dropped_before_embedding_but_plain_advice_is_kept():
    assert action_text("My number one tip: do it at the bed, where you can both see them.") == (
        "do it at the bed, where you can both see them."
    )
    assert action_text("What I wish I'd known in my first week: a rising number is the warning.")\
        .startswith("a rising number")
    assert action_text("So, honestly, label every tube.") == "label every tube."
    plain = "Check the drawings are the latest revision before you set out."
    assert action_text(plain) == plain
    # A long clause before a colon is content, not framing.
    long_lead = ("When the customer is angry and the manager is away and the till is down: "
                 "listen first.")
    assert action_text(long_lead) == long_lead


def test_centroid_is_shrunk_while_few_quotes_are_known():
    c = Centroid(2, shrink=10.0)
    c.add(np.array([[1.0, 0.0]]))
    assert np.allclose(c.vector, [1 / 11, 0.0])
    c.add(np.tile([1.0, 0.0], (90, 1)))
    assert c.vector[0] == pytest.approx(0.91, abs=0.01)
    rows = centred(np.array([[1.0, 0.0], [1.0, 1.0]]), [1.0, 0.0])
    assert np.allclose(rows, [[0.0, 0.0], [0.0, 1.0]])  # a zero row stays zero, no NaN


def _workplace() -> dict[str, np.ndarray]:
    """Quotes from one workplace: a big shared component, small specific ones."""
    shared = 0.9
    return {
        "notes-1": unit(shared, 0.45, 0.0, 0.0, 0.05),
        "notes-2": unit(shared, 0.40, 0.0, 0.1, -0.05),  # paraphrase of notes-1
        "breaks": unit(shared, 0.0, 0.45, 0.0, 0.0),  # different advice, same workplace
        "charts": unit(shared, 0.0, -0.2, 0.4, 0.0),
        "filler-1": unit(shared, -0.3, -0.1, -0.2, 0.3),
        "filler-2": unit(shared, -0.2, 0.1, -0.3, -0.3),
    }


def test_different_advice_from_one_workplace_stays_apart_and_paraphrases_join():
    q = _workplace()
    assert float(q["notes-1"] @ q["breaks"]) > 0.64  # raw cosines would have merged them
    index = TipIndex(SETTINGS.model_copy(update={"same_tip_similarity": 0.3, "cohesion": 0.25,
                                                 "centroid_shrink": 0.0}))
    index.prime(np.stack(list(q.values())))
    placed: dict[str, str] = {}
    for name, vector in q.items():
        match = index.match(f"{name} quote text", vector)
        placed[name] = match[0] if match else name
        index.add(Member(placed[name], f"{name} quote text", vector))
    assert placed["notes-2"] == placed["notes-1"]
    assert placed["breaks"] == "breaks"
    assert placed["charts"] == "charts"


def test_opposite_timing_or_negation_is_opposed_and_paraphrases_are_not():
    assert opposed("Write your notes as you go, after each visit.",
                   "Save the write-up for the end of the day, all in one go.")
    assert opposed("Answer every message as soon as it arrives.",
                   "Check messages twice a day and leave them in between.")
    assert opposed("Always label the samples.", "Don't label the samples, the scanner does it.")
    assert opposed("Safety first, then speed.", "Speed first, you can tidy up afterwards.")
    # Agreements: double negatives, "don't wait" = now, the same habit in other words.
    assert not opposed("Never skip the morning briefing.", "Do the briefing every morning.")
    assert not opposed("Don't wait until you're sure, raise it straight away.",
                       "Raise it as soon as customers might be affected.")
    assert not opposed("Log near misses the same day.", "Report a near miss straight away.")
    assert timing("Don't wait until you're sure.") == 1
    assert timing("Leave the deep clean for after service.") == -1
    assert timing("Greet the customer.") == 0


def test_opposed_advice_on_one_subject_is_linked_and_unrelated_advice_is_not():
    members = [
        Member("tip-a", "Write your notes as you go.", unit(1.0, 0.2, 0.0)),
        Member("tip-b", "Save the notes for the end of the shift.", unit(1.0, -0.2, 0.1)),
        Member("tip-c", "Take your break later, at the end.", unit(0.1, 0.0, 1.0)),
        Member("tip-d", "Check every chart as you go.", unit(0.9, 0.3, 0.1)),
    ]
    pairs = contradiction_pairs(members, threshold=0.4)
    assert pairs == {("tip-a", "tip-b"), ("tip-b", "tip-d")}
    # tip-a / tip-c: opposite timing, but another subject (far apart) -> not linked.
    assert contradiction_pairs(members, threshold=0.4, among={"tip-c"}) == set()
    assert contradiction_pairs(members, threshold=0.4, among={"tip-a"}) == {("tip-a", "tip-b")}


def test_housekeeping_is_dropped_with_its_vector_and_advice_kept():
    model = HousekeepingFilter(np.array([1.0, 0.0], dtype=np.float32), 0.0, 0.6)
    assert model.is_housekeeping(np.array([[2.0, 0.0], [-2.0, 0.0]])).tolist() == [True, False]
    shipped = shipped_filter()
    assert shipped is not None and shipped.weights.shape == (384,)
    items, vectors = drop_housekeeping(["a", "b"], [np.zeros(384), np.zeros(384)], 1.1)
    assert items == ["a", "b"] and len(vectors) == 2  # a threshold above 1 keeps everything
    assert drop_housekeeping([], []) == ([], [])
