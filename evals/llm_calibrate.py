"""Calibrate the verifier's thresholds for model sentences on the sample gold.

`python -m evals.llm_calibrate [--gold samples/gold/questions.jsonl] [--sessions DIR]`

Supported pairs: each sentence of a gold answer (a paraphrase written by a person) with its
question's gold evidence quotes. Unsupported pairs: the same sentence with the evidence of the
three other questions whose evidence is closest in meaning (hard: same domain, other claim),
and sentences of the sample corpus's turns with the evidence of a question they do not answer
(easy). For every (min_term_recall, min_similarity) on a grid it prints the share of supported
pairs kept and of unsupported pairs let through, as `GroundingVerifier.supports` decides.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.grounding import normalise
from companion.core.settings import Settings
from companion.core.terms import content_terms
from companion.core.text import split_sentences

ROOT = Path(__file__).resolve().parents[2]
RECALLS = [0.2, 0.3, 0.4, 0.5, 0.6]
SIMILARITIES = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]


def recall(sentence: str, quotes: list[str]) -> float:
    """Share of the sentence's content terms found in the quotes (1.0 when verbatim)."""
    joined = normalise(" ".join(quotes))
    if normalise(sentence).rstrip(".!?") in joined:
        return 1.0
    terms = set(content_terms(sentence))
    return len(terms & set(content_terms(joined))) / len(terms) if terms else 1.0


def load_pairs(gold: Path, sessions: Path, embeddings: Any, seed: int = 7) -> dict[str, Any]:
    """(sentence, quotes) pairs labelled supported / hard negative / easy negative."""
    from ingest.parsers import discover, load_session

    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if r.get("answerable") and r.get("evidence") and r.get("answer")]
    ev_vecs = embeddings.embed_many([" ".join(r["evidence"]) for r in rows])
    sims = ev_vecs @ ev_vecs.T
    pairs: dict[str, list[tuple[str, list[str]]]] = {"supported": [], "hard": [], "easy": []}
    for i, r in enumerate(rows):
        others = [j for j in np.argsort(-sims[i]) if j != i][:3]
        for sentence in split_sentences(r["answer"]):
            pairs["supported"].append((sentence, r["evidence"]))
            pairs["hard"] += [(sentence, rows[j]["evidence"]) for j in others]
    corpus = [
        s
        for path in discover([sessions])[0]
        for turn in load_session(path).turns
        for s in split_sentences(turn.text)
        if len(s.split()) >= 6
    ]
    rng = random.Random(seed)
    for r in rows:
        evidence = {normalise(e) for e in r["evidence"]}
        picks = [s for s in rng.sample(corpus, 12) if normalise(s) not in evidence][:6]
        pairs["easy"] += [(s, r["evidence"]) for s in picks]
    return pairs


def features(pairs: list[tuple[str, list[str]]], embeddings: Any) -> np.ndarray:
    """(term recall, cosine) per pair."""
    a = embeddings.embed_many([s for s, _ in pairs])
    b = embeddings.embed_many([" ".join(q) for _, q in pairs])
    cos = (a * b).sum(axis=1)
    rec = np.array([recall(s, q) for s, q in pairs])
    return np.stack([rec, cos], axis=1)


def main(argv: list[str] | None = None) -> None:
    """Print the grid of kept / let-through shares."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "samples/gold/questions.jsonl")
    parser.add_argument("--sessions", type=Path, default=ROOT / "samples/sessions")
    args = parser.parse_args(argv)
    from companion.storage.embeddings import SentenceTransformerEmbeddings

    embeddings = SentenceTransformerEmbeddings(Settings().resolved_model_path())
    pairs = load_pairs(args.gold, args.sessions, embeddings)
    feats = {k: features(v, embeddings) for k, v in pairs.items()}
    print({k: len(v) for k, v in pairs.items()})
    print("recall  sim   supported_kept  hard_through  easy_through  youden(hard)")
    for r in RECALLS:
        for s in SIMILARITIES:
            rates = {k: float(((f[:, 0] >= r) & (f[:, 1] >= s)).mean()) for k, f in feats.items()}
            print(
                f"{r:5.2f} {s:5.2f} {rates['supported']:14.2f} {rates['hard']:13.2f} "
                f"{rates['easy']:13.2f} {rates['supported'] - rates['hard']:12.2f}"
            )


if __name__ == "__main__":
    main()
