"""Sentences about the session itself are not key points; what the same speaker says is.

The corpus is written here (a fictional harbour pilots' training morning), not taken from the
samples or the dev corpora; the sentences that look like framing but carry a point guard
against the filter eating content, the failure of an earlier attempt.
"""

from __future__ import annotations

import pytest

from companion.core.framing import (
    continues_framing,
    framing_kind,
    is_framing,
    says_what_session_is,
)
from companion.core.schemas import Session, Turn
from companion.core.settings import Settings
from companion.features.summaries.extractive import ExtractiveSummariser
from companion.features.summaries.sentences import session_sentences
from tests.unit.test_summaries_quality import HashEmbeddings

FRAMING = [
    "This is the winter refresher for pilots who joined the harbour service this year.",
    "I was asked to talk about boarding a ship at night in a heavy swell.",
    "These notes are a write-up of the morning, with the questions from the floor added in.",
    "I want to say at the start what this session is not going to cover in any detail.",
    "When we set up the refresher series together, nobody expected so many pilots to sign up.",
    "Today's a different format from the usual lecture in the main hall downstairs.",
    "I'm going to talk about the pilot ladder and the tide tables.",
    "I'll keep it short, there are only a few things that really matter here.",
]
SUBSTANCE = [
    "Check the pilot ladder yourself before you step on it, whatever the deck crew tell you.",
    "On a spring tide the current at the harbour mouth runs at four knots by mid-ebb.",
    "The review found that two of the three near misses happened during the night watch.",
    "We agreed that the launch will wait alongside until the pilot is on the bridge.",
    "Last session of the port committee approved a second launch for the winter months.",
    "I want to talk about fatigue, because it is behind most of the mistakes we see at night.",
    "I'll talk to the harbour master about moving the boarding point further out.",
    "This is a conversation we need to have with the shipping agents before the spring.",
    "The meeting with the coastguard moved the night exercise to the first week of March.",
    "Two points of the checklist were missed on the tanker, the radio check and the ladder.",
    "Here is a series of boarding ladders, each rigged a different way.",
    "If we go back to where we started this session, the tide tables were the worry.",
]


@pytest.mark.parametrize("text", FRAMING)
def test_sentences_about_the_session_are_framing(text):
    assert is_framing(text), text


@pytest.mark.parametrize("text", SUBSTANCE)
def test_points_that_mention_a_session_or_a_plan_are_not_framing(text):
    assert framing_kind(text) is None, text


CORPUS = [
    ("Maya Lindqvist", "Right, this is the winter refresher for pilots who joined the harbour "
                       "service this year."),
    ("Maya Lindqvist", "I was asked to talk about boarding a ship at night in a heavy swell."),
    ("Maya Lindqvist", "Check the pilot ladder yourself before you step on it, whatever the deck "
                       "crew tell you."),
    ("Oskar Berg", "The worst boarding I had was a bulk carrier whose ladder was rigged two "
                   "metres short of the water."),
    ("Maya Lindqvist", "When we set up the refresher series together, nobody expected so many "
                       "pilots to sign up for it."),
    ("Oskar Berg", "On a spring tide the current at the harbour mouth runs at four knots by "
                   "mid-ebb, so time the approach for slack water."),
    ("Maya Lindqvist", "I'll keep it short, there are only a few things that really matter here."),
    ("Maya Lindqvist", "I want to be clear from the start what this morning's session isn't. "
                       "It isn't a replacement for the boarding assessment you all passed."),
    ("Maya Lindqvist", "Ask the master to make a lee on the starboard side before the launch "
                       "comes alongside."),
]


def _session() -> Session:
    turns = [Turn(index=i, speaker=who, text=text, start=30.0 * i, end=30.0 * i + 25)
             for i, (who, text) in enumerate(CORPUS)]
    return Session(id="pilots-refresher", title="Winter refresher", turns=turns,
                   content_hash="pilots")


def _summary(settings: Settings) -> tuple[list[str], list[str]]:
    summary = ExtractiveSummariser(HashEmbeddings(), settings).summarise(_session())
    return [p.text for p in summary.overview], [p.text for p in summary.key_points]


def _framing_among(points: list[str], framing: list[str]) -> list[str]:
    return [p for p in points if any(p.rstrip(".") in f for f in framing)]


def test_what_the_session_is_not_goes_on_in_the_next_sentence():
    scope = "I want to be clear from the start what this morning's session isn't."
    assert continues_framing(scope, "It isn't a replacement for the boarding assessment.")
    assert not continues_framing(scope, "The ladder must reach the water line.")
    assert not continues_framing("This is the winter refresher.", "It isn't hard to get right.")


def _framing(corpus: list[tuple[str, str]]) -> list[str]:
    """The corpus's framing sentences, a continuation included."""
    out = [t for _, t in corpus if is_framing(t)]
    out += [t.split(". ", 1)[1] for t in out if ". " in t]
    return out


def test_framing_is_no_key_point_and_the_same_speakers_advice_is():
    framing = _framing(CORPUS)
    assert len(framing) == 6
    overview, key_points = _summary(Settings())
    assert key_points
    assert _framing_among(key_points, framing) == []
    # The overview may say what the session is, nothing else about it.
    assert all(says_what_session_is(p) for p in _framing_among(overview, framing))
    # Maya's own advice stands (the speaker is not filtered, her framing is).
    points = overview + key_points
    assert any("pilot ladder yourself" in p for p in points)
    assert any("make a lee" in p for p in points)


def test_without_the_filter_the_framing_would_have_been_a_key_point():
    # Only the filter keeps the framing out of the key points, so the test above cannot pass
    # by accident.
    settings = Settings()
    settings.summaries.framing_filter = False
    framing = _framing(CORPUS)
    overview, key_points = _summary(settings)
    assert _framing_among(key_points, framing)
    assert len(session_sentences(_session())) == len(CORPUS) + 1
