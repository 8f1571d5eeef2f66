"""The dense leg's query adapter: a shipped linear map, applied to questions only."""

from __future__ import annotations

import numpy as np

from companion.retrieval.adapter import adapt, load_adapter


def test_adapter_moves_the_question_towards_what_it_was_fitted_on() -> None:
    # A map that weighs the first dimension up: a question leaning on it moves towards it.
    w = np.eye(3, dtype=np.float32)
    w[0, 0] = 3.0
    question = [0.6, 0.8, 0.0]
    out = adapt(question, w)
    assert abs(float(np.linalg.norm(out)) - 1.0) < 1e-6
    assert out[0] > question[0] and out[1] < question[1]


def test_without_a_matching_matrix_the_question_is_searched_as_embedded() -> None:
    question = [0.6, 0.8, 0.0]
    assert adapt(question, None) == question
    assert adapt(question, np.eye(4, dtype=np.float32)) == question  # another model's size


def test_shipped_adapter_is_near_the_identity_and_small() -> None:
    w = load_adapter()
    assert w is not None and w.shape == (384, 384)
    # Fitted with a ridge towards the identity: a question keeps most of its direction.
    rng = np.random.default_rng(0)
    qs = rng.normal(size=(50, 384)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    moved = qs @ w.T
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    assert float((qs * moved).sum(axis=1).min()) > 0.5


def test_the_adapter_ships_with_fusion_and_confidence_fitted_on_its_cosines() -> None:
    # The default weights were fitted on unadapted cosines: the adapter needs its own pair.
    from companion.features.ask.confidence import ADAPTED_WEIGHTS_FILE as CONFIDENCE
    from companion.features.ask.confidence import load_confidence
    from companion.retrieval.fusion import ADAPTED_WEIGHTS_FILE, WEIGHTS_FILE, load_model

    adapted, plain = load_model(ADAPTED_WEIGHTS_FILE), load_model(WEIGHTS_FILE)
    assert adapted is not None and plain is not None
    assert not np.allclose(adapted.weights, plain.weights)
    assert load_confidence(CONFIDENCE) is not None
