"""What a quote is clustered by: its action without lead-ins, hedges or reasons (no model)."""

from __future__ import annotations

import numpy as np

from companion.core.settings import TipsSettings
from companion.features.tips.actions import action_clauses, action_vectors, core_index, strip_leads
from companion.features.tips.clustering import Member, TipIndex
from companion.features.tips.polarity import opposed, timing


def unit(*parts: float) -> np.ndarray:
    v = np.array(parts, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_lead_ins_and_hedges_are_stripped_from_what_is_embedded():
    assert strip_leads("My advice is to shelve them the same day.") == "shelve them the same day."
    assert strip_leads("What I'd say is, dig a little before you answer.") == (
        "dig a little before you answer.")
    assert strip_leads("Honestly, I'd say you should always check the kit yourself.") == (
        "always check the kit yourself.")
    assert strip_leads("So I'd hold off on it until you know them.") == (
        "hold off on it until you know them.")
    # Plain advice is left as it is.
    assert strip_leads("Check the kit before every flight.") == "Check the kit before every flight."


def test_a_quote_is_split_into_candidate_action_clauses():
    clauses = action_clauses(
        "My number one tip: an untidy shelf is a shelf nobody uses, so put each book back "
        "where it lives.")
    assert clauses[0].startswith("an untidy shelf")  # the whole, framing dropped
    assert "put each book back where it lives." in clauses
    assert action_clauses("Greet every guest by name.") == ["Greet every guest by name."]
    assert core_index([0.4, 0.2, 0.9]) == 2
    assert core_index([0.5, 0.5]) == 0  # the whole wins ties


def test_the_clustered_vector_leans_on_the_most_advice_like_clause():
    texts = {"The reasons come first. Do the thing now.": None}
    table = {
        "The reasons come first. Do the thing now.": unit(1.0, 0.0, 0.0),
        "The reasons come first": unit(0.0, 1.0, 0.0),
        "Do the thing now.": unit(0.0, 0.0, 1.0),
    }

    def embed(batch: list[str]) -> np.ndarray:
        return np.stack([table[t] for t in batch])

    def score(rows: np.ndarray) -> np.ndarray:
        return rows[:, 2]  # only the third axis reads as advice

    whole = action_vectors(list(texts), embed, score, blend=0.0)[0]
    mixed = action_vectors(list(texts), embed, score, blend=0.5)[0]
    assert np.allclose(whole, unit(1.0, 0.0, 0.0))
    assert np.allclose(mixed, unit(1.0, 0.0, 1.0))
    assert np.isclose(np.linalg.norm(mixed), 1.0)


def test_a_doubtful_join_within_one_session_needs_more_closeness():
    settings = TipsSettings(lexical_weight=0.0, same_tip_similarity=0.3, cohesion=0.3,
                            link_floor=0.0, centroid_shrink=0.0, same_session_margin=0.2)
    index = TipIndex(settings)
    a, b = unit(1.0, 0.0, 0.0), unit(0.4, 0.9165, 0.0)  # closeness 0.4
    other = unit(0.0, 0.0, 1.0)
    index.prime(np.stack([a, b, other, -a, -b, -other]))  # a centroid of zero
    index.add(Member("tip-a", "first advice quote", a, session="s1"))
    index.add(Member("tip-x", "unrelated advice quote", other, session="s1"))
    assert abs(float(index.closeness(b)[0]) - 0.4) < 1e-3
    # From another session the quote joins; from the same session it would need 0.5.
    joined = index.match("second advice quote", b, session="s2")
    assert joined is not None and joined[0] == "tip-a"
    assert index.match("second advice quote", b, session="s1") is None


def test_generic_timing_words_do_not_oppose_a_daily_habit():
    # "at the end of each day" is a daily habit, "don't let it pile up" asks to keep on top.
    assert not opposed("Don't let the returns pile up; shelve a few every day.",
                       "Shelve ten books at the end of each day instead of all on Friday.")
    assert timing("Do it on day one.") == 1
    assert timing("Hold off for the first couple of weeks, then decide.") == -1
    assert opposed("Set it up on day one.", "Hold off for the first couple of weeks.")
