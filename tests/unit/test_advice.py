"""The advice detector: shipped weights, probabilities, spoken advice found and chat not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from companion.core.advice import DEFAULT_PATH, AdviceDetector, detokenise


def test_shipped_weights_load_small_and_calibrated():
    assert DEFAULT_PATH.stat().st_size < 1_000_000
    detector = AdviceDetector.load()
    assert detector.dimension == 384
    assert 0.0 < detector.threshold < 1.0


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


def test_detokenise_undoes_reddit_tokenisation():
    assert detokenise("I do n't think they ’re ready .") == "I don't think they’re ready."
    assert detokenise("Try it ( really ) , it 's fine !") == "Try it (really), it's fine!"


@pytest.mark.slow
def test_spoken_advice_is_found_and_chat_is_not(embeddings):
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
    ]
    detector = AdviceDetector.load()
    found = detector.is_advice(embeddings.embed_many(advice + chat))
    assert found[: len(advice)].all(), [s for s, f in zip(advice, found, strict=False) if not f]
    assert not found[len(advice):].any(), [s for s, f in zip(chat, found[len(advice):],
                                                               strict=False) if f]
