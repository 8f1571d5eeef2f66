"""Advice extraction and the lexical checks, without the model (a stub stands in for it)."""

from __future__ import annotations

import numpy as np

from companion.core.advice import AdviceDetector
from companion.core.schemas import Session, Turn
from companion.core.settings import TipsSettings
from companion.features.tips.extraction import extract_candidates, worth_scoring
from companion.features.tips.polarity import opposed
from companion.features.tips.rebuild import carry_ids
from companion.features.tips.speakers import person_keys

SETTINGS = TipsSettings()


def test_prefilter_skips_questions_fragments_and_broken_speech():
    kept = [
        "Put the recommendation in the first paragraph.",
        "What worked for me was keeping a done list every Friday.",
        "Always check the wristband against the chart, even when you know the patient.",
    ]
    skipped = [
        "How long should a submission be?",  # a question
        "Is it worth doing the whole thing again",  # a question without its mark
        "so shouldn't use you should s you know , get",  # broken speech
        "And then what you really need to do is, you know, the",  # trails off
        "Okay, yes.",  # too short
    ]
    assert all(worth_scoring(s, SETTINGS) for s in kept)
    assert not [s for s in skipped if worth_scoring(s, SETTINGS)]


def _stub_embed(texts: list[str]) -> np.ndarray:
    """One dimension: 1.0 for sentences about ringing someone (the stub detector's advice)."""
    return np.array([[1.0 if "ring" in t else 0.0] for t in texts], dtype=np.float32)


STUB = AdviceDetector(layers=[(np.array([[10.0]]), np.array([-5.0]))], threshold=0.5)


def test_candidates_are_verbatim_and_tips_lists_count_whole_items():
    session = Session(
        id="notes", title="Notes", turns=[
            Turn(index=0, speaker="Jo", text="Tom talked about the box. It was useful.",
                 section="Context"),
            Turn(index=1, speaker="Jo", text="Lead with the ask. The recommendation goes first.",
                 section="Top tips"),
            Turn(index=2, speaker="Jo", text="Keep the box light.", section="Top tips"),
            Turn(index=3, speaker="Amara", text="Okay. So, ring the private secretary before it"
                 " goes in the box. Then write.", start=12.0, end=20.0),
        ],
    )
    found = extract_candidates(session, SETTINGS, _stub_embed, STUB)
    assert [(c.turn, c.cue) for c in found] == [(1, "tips-list"), (2, "tips-list"),
                                                (3, "advice")]
    assert found[0].quote == "Lead with the ask. The recommendation goes first."
    for c in found:
        assert c.quote in session.turns[c.turn].text
    assert (found[2].start, found[2].end, found[2].speaker) == (12.0, 20.0, "Amara")


def test_opposite_advice_is_recognised():
    assert opposed("Copy the private office on everything.",
                   "Don't copy the private office on routine stuff.")
    assert opposed("I always put it in writing first.", "I'd talk first, then write.")
    assert not opposed("Never present a number cold.",
                       "Send the numbers in writing before the meeting.")
    assert not opposed("Put the recommendation first.", "The recommendation goes at the top.")


def test_rebuilt_clusters_keep_old_ids_and_merges():
    previous = {"q1": "tip-a", "q2": "tip-a", "q3": "tip-b", "q4": "tip-b"}
    # tip-a split in two; tip-b's quotes now sit with a new one; q9 is new.
    ids = carry_ids([["q1", "q9"], ["q2"], ["q3", "q4", "q5"]], previous, set(),
                    fresh_id=lambda h: f"tip-{h}")
    assert ids == ["tip-a", "tip-q2", "tip-b"]
    # A reviewer merged: both halves stay with the survivor.
    assert carry_ids([["q1"], ["q2"]], previous, {"tip-a"}, fresh_id=lambda h: h) == [
        "tip-a", "tip-a"]


def test_speaker_variants_count_once():
    keys = person_keys(["Dr Amara Okafor", "Amara", "Amara Okafor", "Tom", "Tom Reyes", "Jo"],
                       lookup=lambda label: None)
    assert keys["Dr Amara Okafor"] == keys["Amara"] == keys["Amara Okafor"]
    assert keys["Tom"] == keys["Tom Reyes"] and keys["Jo"] != keys["Tom"]
    directory = {"Ollie": "ollie-grant", "Oliver Grant": "ollie-grant"}
    keys = person_keys(["Ollie", "Oliver Grant"], lookup=directory.get)
    assert keys["Ollie"] == keys["Oliver Grant"]


def test_only_sentences_the_cue_pre_stage_passes_are_embedded():
    from companion.core.advice import BUCKETS, CueStage, cue_buckets

    cues = np.zeros(BUCKETS, np.float32)
    cues[cue_buckets("ring")] = 5.0  # the stage passes sentences with the word "ring"
    staged = AdviceDetector(layers=STUB.layers, threshold=0.5,
                            cue_stage=CueStage(cues, bias=-1.0, threshold=0.0))
    seen: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return _stub_embed(texts)

    session = Session(id="s", title="S", turns=[
        Turn(index=0, speaker="Amara", text="We had a busy week on the ward with the new rota."
             " So, ring the private secretary before it goes in the box."),
        Turn(index=1, speaker="Jo", text="The coffee machine was broken again all morning."),
    ])
    found = extract_candidates(session, SETTINGS, embed, staged)
    assert seen == ["So, ring the private secretary before it goes in the box."]
    assert [c.quote for c in found] == seen
    seen.clear()  # without the stage, every sentence that passes worth_scoring is embedded
    assert [c.quote for c in extract_candidates(session, SETTINGS, embed, STUB)] == [
        "So, ring the private secretary before it goes in the box."]
    assert len(seen) == 3
