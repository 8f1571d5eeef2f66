"""Advice extraction and the lexical checks, without the model: what counts as a tip."""

from __future__ import annotations

from companion.core.schemas import Session, Turn
from companion.core.settings import TipsSettings
from companion.features.tips.extraction import advice_cue, extract_candidates
from companion.features.tips.polarity import opposed
from companion.features.tips.rebuild import carry_ids
from companion.features.tips.speakers import person_keys

SETTINGS = TipsSettings()


def test_advice_is_found_and_chat_is_not():
    advice = [
        "Put the recommendation in the first paragraph.",
        "And please, please, get your drafts in a day before the deadline.",
        "Never present a number cold.",
        "My one piece of advice is to talk to stakeholders early.",
        "Before you draft a single line, search Hansard for what ministers have said.",
        "Every number needs a source and a date.",
        "What worked for me was keeping a done list every Friday.",
    ]
    chat = [
        "How long should a submission be?",  # a question
        "Thanks everyone for coming along today.",  # social
        "Let's move on to the next item on the agenda.",  # managing the room
        "Send it by the twentieth and I'll turn it round.",  # an arrangement
        "Put that in the write-up in bold.",  # points at something in the room
        "I've never done that before.",  # not advice
        "so shouldn't use you should s you know , get",  # broken speech
        "It could be one button, if you really need to go and do that.",  # a condition
        "Ask Jo, she'll know.",  # an action for a named colleague
    ]
    assert all(advice_cue(s, SETTINGS) for s in advice), [
        s for s in advice if not advice_cue(s, SETTINGS)
    ]
    names = frozenset({"jo"})
    assert not [s for s in chat if advice_cue(s, SETTINGS, names)]


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
    found = extract_candidates(session, SETTINGS)
    assert [(c.turn, c.cue) for c in found] == [(1, "tips-list"), (2, "tips-list"),
                                                (3, "imperative")]
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
