"""Learned fusion: features a user would feel (speaker, session, neighbours) and the model."""

from __future__ import annotations

import json

import numpy as np

from companion.retrieval.fusion import (
    FEATURES,
    WEIGHTS_FILE,
    FusionModel,
    diversify,
    features,
    fit_listwise,
    fit_logistic,
    load_model,
    speaker_words,
)
from companion.retrieval.hybrid import RetrievedChunk


def chunk(
    cid: str,
    session: str,
    ordinal: int,
    sim: float | None,
    lex: float | None,
    speakers: tuple[str, ...] = ("Alex",),
) -> RetrievedChunk:
    return RetrievedChunk(
        id=cid,
        session_id=session,
        session_title=session,
        text="some words here",
        speakers=list(speakers),
        turn_start=ordinal * 3,
        turn_end=ordinal * 3 + 2,
        start=None,
        end=None,
        similarity=sim,
        dense_rank=None if sim is None else ordinal,
        lexical_score=lex,
        lexical_rank=None if lex is None else ordinal,
        ordinal=ordinal,
    )


def column(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, FEATURES.index(name)]


def test_speaker_named_in_the_question_is_a_feature() -> None:
    cands = [
        chunk("a", "s1", 0, 0.5, 2.0, ("Marketing (ES2008a)",)),
        chunk("b", "s1", 1, 0.5, 2.0, ("Project Manager (ES2008a)",)),
    ]
    x = features("What did the marketing expert say about colours?", cands)
    assert column(x, "speaker_match").tolist() == [1.0, 0.0]
    assert column(x, "speaker_named").tolist() == [1.0, 1.0]
    assert speaker_words("Marketing (ES2008a)") == {"marketing"}


def test_session_share_and_neighbours() -> None:
    cands = [
        chunk("a", "s1", 0, 0.6, 3.0),
        chunk("b", "s1", 1, 0.4, 1.0),
        chunk("c", "s2", 5, 0.3, None),
    ]
    x = features("budget for the new remote", cands)
    share = column(x, "sess_share")
    assert share[0] == share[1] > share[2]
    assert abs(share[0] + share[2] - 1.0) < 1e-9
    # "b" sits next to the best chunk; "c" has no neighbour among the candidates
    nb = column(x, "nb_dense_rel")
    assert nb[1] == 0.0 and nb[2] < nb[0]
    assert column(x, "lex_present").tolist() == [1.0, 1.0, 0.0]


def test_logistic_fit_ranks_positives_first_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 7] > 0).astype(float)
    model = fit_logistic(x, y, l2=1.0)
    p = model.probabilities(x)
    assert ((p > 0.5) == (y > 0)).mean() > 0.95
    again = FusionModel.from_json(json.loads(json.dumps(model.to_json())))
    assert np.allclose(again.probabilities(x), p, atol=1e-4)


def test_shipped_weights_match_the_features() -> None:
    assert WEIGHTS_FILE.stat().st_size < 1_000_000
    model = load_model()
    assert model is not None and model.names == FEATURES
    # a chunk that wins on cosine, BM25 and session beats one that loses on all three
    cands = [
        chunk("a", "s1", 0, 0.7, 5.0),
        chunk("b", "s1", 1, 0.6, 4.0),
        chunk("c", "s2", 9, 0.2, 0.5),
    ]
    p = model.probabilities(features("how loud should the alarm be", cands))
    assert p[0] > p[2]


def test_listwise_fit_puts_each_questions_positive_first() -> None:
    rng = np.random.default_rng(1)
    rows, labels, qids = [], [], []
    for q in range(40):
        x = rng.normal(size=(20, len(FEATURES)))
        x[:, 3] += q  # a per-question offset that must not matter: only the order within counts
        best = int(np.argmax(x[:, 3] - x[:, 0]))
        rows.append(x)
        labels.append(np.eye(20)[best])
        qids.append(np.full(20, q))
    x, y, qid = np.vstack(rows), np.concatenate(labels), np.concatenate(qids)
    model = fit_listwise(x, y, qid, l2=1.0, steps=200)
    scores = model.logits(x)
    firsts = [int(np.argmax(scores[qid == q])) == int(np.argmax(y[qid == q])) for q in range(40)]
    assert np.mean(firsts) > 0.35  # chance: 1 in 20
    assert ((model.probabilities(x) > 0) & (model.probabilities(x) < 1)).all()


def test_diversify_lets_another_moment_in_before_a_neighbour() -> None:
    # Two neighbouring chunks of one session lead; another session's chunk is close behind the
    # second: it takes the second place. A chunk two places away is another moment.
    cands = [
        chunk("a5", "a", 5, 0.5, 1.0),
        chunk("a6", "a", 6, 0.5, 1.0),
        chunk("b2", "b", 2, 0.5, 1.0),
        chunk("a8", "a", 8, 0.5, 1.0),
    ]
    logits = np.array([2.0, 1.8, 1.0, 0.5])
    assert [cands[i].id for i in diversify(cands, logits, 2.0)] == ["a5", "b2", "a8", "a6"]
    # Without a penalty (or with a far better neighbour) the order is by logit.
    assert [cands[i].id for i in diversify(cands, logits, 0.0)] == ["a5", "a6", "b2", "a8"]
    strong = np.array([6.0, 5.5, 1.0, 0.5])
    assert [cands[i].id for i in diversify(cands, strong, 2.0)][:2] == ["a5", "a6"]
