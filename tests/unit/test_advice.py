"""The advice detector: shipped weights, probabilities, spoken advice found and chat not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from companion.core.advice import (
    BUCKETS,
    DEFAULT_PATH,
    AdviceDetector,
    CueStage,
    TextHead,
    cue_buckets,
    detokenise,
)


def test_shipped_weights_load_small_and_calibrated():
    assert DEFAULT_PATH.stat().st_size < 1_000_000
    detector = AdviceDetector.load()
    assert detector.dimension == 384
    assert 0.0 < detector.threshold < 1.0
    assert detector.text is not None and detector.text.cues.shape == (BUCKETS,)


def test_probabilities_are_in_range_and_one_per_row(tmp_path: Path):
    detector = AdviceDetector.load()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    prob = detector.predict_proba(x)
    assert prob.shape == (5,) and np.all((prob >= 0) & (prob <= 1))
    assert detector.predict_proba(np.zeros((0, 384))).shape == (0,)
    detector.save(tmp_path / "copy.npz")  # round trip keeps the scores (float16 weights)
    again = AdviceDetector.load(tmp_path / "copy.npz")
    assert np.allclose(again.predict_proba(x), prob, atol=1e-2)
    assert again.threshold == pytest.approx(detector.threshold)
    texts = ["Always label the box.", "We moved offices.", "Try it.", "Fine.", "Why?"]
    with_text = detector.predict_proba(x, texts)
    assert with_text.shape == (5,) and not np.allclose(with_text, prob)  # the text head scored
    assert np.allclose(again.predict_proba(x, texts), with_text, atol=1e-2)


def test_texts_must_match_vectors():
    detector = AdviceDetector.load()
    with pytest.raises(ValueError, match="2 texts for 1 vectors"):
        detector.predict_proba(np.ones((1, 384), np.float32), ["one", "two"])


def test_word_cues_mark_the_first_content_word_after_fillers():
    # "So, um, always ..." and "Always ..." share the opening cue; a question has its own.
    opening = set(cue_buckets("always")) & set(cue_buckets("So, um, always label it."))
    assert opening - set(cue_buckets("We always label it."))
    assert cue_buckets("Label it?") != cue_buckets("Label it.")
    assert cue_buckets("Label it.") == cue_buckets("label IT")  # case and punctuation aside


def test_a_cue_weight_moves_the_probability_of_sentences_with_that_cue():
    cues = np.zeros(BUCKETS, np.float32)
    cues[cue_buckets("never")] = 4.0  # every cue of the one-word sentence "never"
    head = TextHead(np.zeros(2, np.float32), cues, bias=-1.0, scale=1.0)
    detector = AdviceDetector(layers=[(np.zeros((2, 1), np.float32), np.full(1, -1.0, np.float32))],
                              threshold=0.5, text=head)
    x = np.zeros((2, 2), np.float32)
    found = detector.is_advice(x, texts=["Never guess.", "Guess."])
    assert found.tolist() == [True, False]
    assert detector.is_advice(x).tolist() == [False, False]  # no texts: the embedding head


def test_detokenise_undoes_reddit_tokenisation():
    assert detokenise("I do n't think they ’re ready .") == "I don't think they’re ready."
    assert detokenise("Try it ( really ) , it 's fine !") == "Try it (really), it's fine!"


@pytest.mark.slow
def test_spoken_advice_is_found_and_chat_and_self_reports_are_not(embeddings):
    advice = [
        "What I wish I'd known on my first rotation is that you can always ask the pharmacist.",
        "My number one tip: fill the van the night before, not on the morning of the job.",
        "Honestly, the quickest way to learn the till is to shadow someone on a Saturday.",
        "You should always photograph the meter before you start any work.",
        "Never sign off a delivery you haven't counted yourself.",
    ]
    chat = [
        "The coffee machine on the ground floor is out of order until Monday.",
        "Can everyone put themselves on mute, please?",
        "We had about forty people through the door on Saturday.",
        "I moved over from the Leeds branch in the spring.",
        "Thanks everybody, that's all for today.",
        # Facts about oneself: what reached the top tips before the text head.
        "So my team leader has been replaced twice since the autumn.",
        "I've done the late shift on the ticket desk for four years now.",
    ]
    detector = AdviceDetector.load()
    texts = advice + chat
    vectors = embeddings.embed_many(texts)
    found = detector.is_advice(vectors, texts=texts)
    assert found[: len(advice)].all(), [s for s, f in zip(advice, found, strict=False) if not f]
    assert not found[len(advice):].any(), [s for s, f in zip(chat, found[len(advice):],
                                                               strict=False) if f]
    plain = detector.predict_proba(vectors)  # the embedding head alone still ranks them apart
    assert plain[: len(advice)].min() > np.median(plain[len(advice):])


def test_cue_pre_stage_passes_advice_and_drops_chit_chat():
    # The shipped pre-stage (word cues only, no embedding) decides what extraction embeds.
    stage = AdviceDetector.load().cue_stage
    assert stage is not None and stage.cues.shape == (BUCKETS,)
    advice = [
        "You should always photograph the meter before you start any work.",
        "Never sign off a delivery you haven't counted yourself.",
        "My tip is to write the handover notes before the last hour of the shift.",
    ]
    chat = [  # a permissive stage: plain statements of fact may pass, the full detector decides
        "Thanks everybody, that's all for today.",
        "I think that was on Tuesday.",
        "Um, I don't know, maybe.",
        "So that's the first item done.",
    ]
    assert stage.passes(advice).all(), stage.logits(advice)
    assert not stage.passes(chat).any(), stage.logits(chat)


def test_cue_pre_stage_round_trips_and_without_it_every_sentence_is_worth_embedding(
        tmp_path: Path):
    cues = np.zeros(BUCKETS, np.float32)
    cues[cue_buckets("never")] = 4.0
    detector = AdviceDetector(layers=[(np.zeros((2, 1), np.float32), np.zeros(1, np.float32))],
                              threshold=0.5, cue_stage=CueStage(cues, bias=-1.0, threshold=0.0))
    texts = ["Never guess.", "Guess."]
    assert detector.worth_embedding(texts).tolist() == [True, False]
    detector.save(tmp_path / "staged.npz")
    assert AdviceDetector.load(tmp_path / "staged.npz").worth_embedding(texts).tolist() == [
        True, False]
    detector.cue_stage = None
    assert detector.worth_embedding(texts).tolist() == [True, True]
    assert detector.worth_embedding([]).shape == (0,)
