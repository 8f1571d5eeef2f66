"""Issue 16, second pass: advice strength, weak clusters, support counts, linkage, preference."""

from __future__ import annotations

import numpy as np

from companion.core.advice import AdviceDetector
from companion.core.schemas import Session, Turn
from companion.core.settings import TipsSettings
from companion.features.tips.clustering import Member, TipIndex
from companion.features.tips.extraction import extract_candidates
from companion.features.tips.polarity import opposed
from companion.features.tips.store import TipStore
from companion.features.tips.strength import is_weak_tip, strengths
from companion.features.tips.views import TipViews
from companion.retrieval.context import Context

SETTINGS = TipsSettings()


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _stub_embed(texts: list[str]) -> np.ndarray:
    """One dimension: how advice-like the stub detector finds a sentence."""
    return np.array([[1.0 if "ring" in t.lower() else 0.6 if "call" in t else 0.0] for t in texts],
                    dtype=np.float32)


STUB = AdviceDetector(layers=[(np.array([[10.0]]), np.array([-5.0]))], threshold=0.5)


def test_candidates_carry_the_detector_probability_and_list_items_count_as_certain():
    session = Session(id="s", title="S", turns=[
        Turn(index=0, speaker="Amara", text="Ring the office before you send it."),
        Turn(index=1, speaker="Amara", text="Then call them again on Friday afternoon."),
        Turn(index=2, speaker="Jo", text="Keep the box light and short.", section="Top tips"),
    ])
    found = {c.turn: c for c in extract_candidates(session, SETTINGS, _stub_embed, STUB)}
    assert round(found[0].advice_p, 3) == round(1 / (1 + np.exp(-5.0)), 3)
    assert 0.5 < found[1].advice_p < found[0].advice_p  # weaker, still above the threshold
    assert found[2].advice_p == 1.0 and found[2].cue == "tips-list"


def test_strength_is_advice_minus_housekeeping_and_tips_list_items_are_advice():
    detector = AdviceDetector(layers=[(np.zeros((384, 1), np.float32), np.array([-30.0]))],
                              threshold=0.5)  # says "not advice" to everything
    vectors = np.stack([unit(*([1.0] * 384))] * 2)
    values = strengths(vectors, ["advice", "tips-list"], detector)
    assert values[0] < 0.0 < values[1]  # the list item is advice by position
    assert values[1] <= 1.0
    assert strengths(np.ones((1, 5)), None, detector).tolist() == [1.0]  # unscorable: kept
    assert is_weak_tip([0.01, 0.05], 0.08) and not is_weak_tip([0.01, 0.3], 0.08)
    assert not is_weak_tip([], 0.08)


def _index(**update: float) -> TipIndex:
    cfg = SETTINGS.model_copy(update={"same_tip_similarity": 0.3, "cohesion": 0.3,
                                      "lexical_weight": 0.0, "centroid_shrink": 1e9, **update})
    return TipIndex(cfg)


def test_clear_advice_never_joins_a_tip_whose_quotes_are_all_weak():
    index = _index()
    remark = unit(1.0, 0.2, 0.0)
    index.add(Member("keep-short", "I'll keep it short today.", remark, strength=0.0))
    close = unit(1.0, 0.25, 0.05)
    assert index.match("Keep the written one.", close, strength=0.7) is None
    assert index.match("I will keep it brief.", close, strength=0.0) is not None  # weak joins
    index.add(Member("keep-short", "Keep notes short.", unit(1.0, 0.2, 0.1), strength=0.6))
    assert index.match("Keep the written one.", close, strength=0.7) is not None


def test_a_quote_unlike_one_member_stays_out_under_complete_linkage():
    a, b = unit(1.0, 0.0, 0.0), unit(0.9, 0.44, 0.0)  # a tip of two paraphrases
    newcomer = unit(0.95, -0.4, 0.0)  # close to a, far from b
    for floor, joins in ((-1.0, True), (0.75, False)):
        index = _index(link_floor=floor, cohesion=0.5)
        index.add(Member("t", "First wording of it.", a, strength=1.0))
        index.add(Member("t", "Second wording of it.", b, strength=1.0))
        assert (index.match("Another thing entirely.", newcomer, strength=1.0) is not None) \
            is joins


def test_preferring_something_over_an_act_opposes_advice_to_do_that_act():
    prefer = "Patching forward is usually the safer path than undoing a release."
    assert opposed(prefer, "If there's a change you can undo, undo it straight away.")
    assert opposed("Phone the family rather than emailing them.", "Email the family the plan.")
    assert not opposed(prefer, "Patch forward when the data has already moved on.")
    assert not opposed("Phone the family rather than emailing them.", "Phone the family first.")


def test_support_counts_distinct_sessions_and_people_once_each(fake_ctx: Context):
    catalog = fake_ctx.catalog
    for sid, consent in (("s1", True), ("s2", True), ("s3", False)):
        catalog.replace_session(Session(id=sid, title=sid, date="2026-01-0" + sid[1],
                                        consent=consent, turns=[Turn(index=0, text="x")]), [])
    store = TipStore(catalog)
    vector = unit(*([1.0] * 384))
    rows = [("s1", "Ana", "Label every tube."), ("s1", "Ana", "Label each tube, always."),
            ("s1", "Ben", "Put a label on every tube."), ("s2", "ana", "Tubes need labels."),
            ("s3", "Cy", "Label the tubes.")]  # s3 has no consent: neither shown nor counted
    with catalog.transaction() as conn:
        store.create_tip(conn, "t1", vector, rows[0][2], "s1")
        for i, (sid, speaker, quote) in enumerate(rows):
            store.insert_quote(conn, "t1", {
                "session_id": sid, "speaker": speaker, "turn": i, "start": None, "end": None,
                "quote": quote, "quote_hash": str(i), "section": "Top tips",
                "cue": "tips-list", "vector": vector})
    (tip,) = TipViews(fake_ctx).list_tips()
    assert (tip.support.sessions, tip.support.speakers) == (2, 2)  # Ana and ana are one person
    assert len(tip.quotes) == 4
