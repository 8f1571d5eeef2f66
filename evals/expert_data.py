"""QMSum meetings and topics prepared once for fitting expert finding (`evals/fit_expertise.py`).

Each meeting as the product stores it: its turns (the QMSum parser keeps one per transcript
entry), their content terms, who spoke them, and the vectors of the chunks the product's own
chunker makes (`evals.qmsum_chunks`, the same vectors ingest puts in Chroma). Each topic gets
its query vector from the product's embedding model. Only meetings whose chunk vectors are
already cached are used (nothing is embedded here but the topics), so the chunk cache must be
filled first, in the background, on one torch thread:

    OMP_NUM_THREADS=1 COMPANION_EMBEDDING__THREADS=1 \
        python -m evals.qmsum_chunks --split train --cache /work/cache/people2/qmsum_chunks

Run: `python -m evals.expert_data --split train` (writes `CACHE/expert_<split>.pkl`).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from companion.core.settings import Settings
from companion.core.terms import content_terms
from companion.features.peers.practice import is_question
from evals.expert_gold import QMSUM, build, gold_speaker

CACHE = Path("/work/cache/people2")


@dataclass
class PreparedMeeting:
    """One meeting's turns and chunk vectors, ready for scoring."""

    meeting_id: str
    speakers: list[str]
    texts: list[str]
    terms: list[Counter[str]]
    questions: list[bool]
    ranges: list[tuple[int, int]]
    matrix: Any
    talkative: list[str] = field(default_factory=list)


@dataclass
class PreparedTopic:
    """One gold topic: its text, query vector, meeting and gold speaker."""

    meeting_id: str
    topic: str
    vector: Any
    gold: str
    domain: str
    spans: tuple[tuple[int, int], ...] = ()
    """The topic's gold turn spans (both ends inclusive), for localisation diagnostics."""


def prepare(split: str, chunk_cache: Path) -> tuple[dict[str, PreparedMeeting],
                                                    list[PreparedTopic]]:
    """Meetings with cached chunk vectors and their topics (topics embedded here)."""
    from evals.qmsum_chunks import ChunkVectorCache
    from ingest.parsers import load_session

    settings = Settings()
    cache = ChunkVectorCache(settings, chunk_cache)
    rows = build(split)
    meetings: dict[str, PreparedMeeting] = {}
    for mid in sorted({r["meeting_id"] for r in rows}):
        path = QMSUM / split / f"{mid}.json"
        session = load_session(path)
        vectors = cache.vectors(session, cached_only=True)
        if vectors is None:
            print(f"skip {mid}: chunk vectors not cached", file=sys.stderr)
            continue
        raw = json.loads(path.read_text(encoding="utf-8"))["meeting_transcripts"]
        speakers = [gold_speaker(mid, t["speaker"]) for t in raw]
        texts = [t.text for t in session.turns]
        words: Counter[str] = Counter()
        for s, x in zip(speakers, texts, strict=True):
            words[s] += len(x.split())
        meetings[mid] = PreparedMeeting(
            mid, speakers, texts, [Counter(content_terms(x)) for x in texts],
            [bool(x) and "?" in x and is_question(x) for x in texts],
            list(vectors.ranges), vectors.matrix, [s for s, _ in words.most_common()])
    kept = [r for r in rows if r["meeting_id"] in meetings]
    from companion.storage.embeddings import SentenceTransformerEmbeddings

    model = SentenceTransformerEmbeddings(settings.resolved_model_path(), threads=1)
    queries = [np.asarray(model.embed_query(r["topic"]), dtype=np.float32) for r in kept]
    topics = [PreparedTopic(r["meeting_id"], r["topic"], v, r["speaker_word_share"][0][0],
                            r["domain"],
                            tuple((int(a), int(b)) for a, b in r["relevant_text_span"]))
              for r, v in zip(kept, queries, strict=True)]
    return meetings, topics


def main() -> None:
    """Prepare a split and pickle it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "val"), default="train")
    parser.add_argument("--chunks", type=Path, default=CACHE / "qmsum_chunks")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    # Through the module, so the pickle names `evals.expert_data` classes, not `__main__`'s.
    from evals.expert_data import prepare as prepare_split

    meetings, topics = prepare_split(args.split, args.chunks)
    out = args.out or CACHE / f"expert_{args.split}.pkl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps((meetings, topics)))
    print(f"{len(meetings)} meetings, {len(topics)} topics -> {out}")


if __name__ == "__main__":
    main()
