"""Benchmark corpora of distinct text built from QMSum train + val meetings, and questions.

Copy 0 of each meeting is its real text. From copy 1 on, every turn is rewritten with a seeded
RNG: about a third of its longer words are swapped for words drawn from the corpus vocabulary,
so no sentence repeats anywhere in the corpus (an embed cache or a memoised listener cannot
serve a later copy) while lengths, speakers and turn structure stay those of real meetings.
`build_corpus` counts distinct sentences and records the share in its manifest.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from pathlib import Path

from companion.core.settings import Settings
from ingest.chunking import Chunker, tokenizer_counter
from ingest.parsers import load_session

ROOT = Path(__file__).resolve().parent.parent
QMSUM_VAL = ROOT.parent / "shared" / "data" / "qmsum" / "val"
QMSUM_TRAIN = ROOT.parent / "shared" / "data" / "qmsum" / "train"
_WORD = re.compile(r"[A-Za-z]{4,}")
SWAP_SHARE = 0.35


def chunker(settings: Settings) -> Chunker:
    """The product's chunker (same tokenizer, same budget)."""
    return Chunker(tokenizer_counter(settings.resolved_model_path()), settings.chunking.max_tokens)


def vocabulary(sources: list[Path]) -> list[str]:
    """The longer words of the source meetings, sorted (the pool rewritten turns draw from)."""
    words: set[str] = set()
    for source in sources:
        for entry in json.loads(source.read_text(encoding="utf-8"))["meeting_transcripts"]:
            words.update(w.lower() for w in _WORD.findall(entry.get("content", "")))
    return sorted(words)


def rewrite(text: str, rng: random.Random, pool: list[str]) -> str:
    """The text with about `SWAP_SHARE` of its longer words swapped for pool words."""
    return _WORD.sub(lambda m: rng.choice(pool) if rng.random() < SWAP_SHARE else m.group(0), text)


def copy_meeting(source: Path, target: Path, copy: int, pool: list[str]) -> list[str]:
    """Write copy number `copy` of a QMSum meeting (copy 0 is unchanged); returns its turns."""
    data = json.loads(source.read_text(encoding="utf-8"))
    entries = data["meeting_transcripts"]
    if copy:
        seed = int.from_bytes(hashlib.sha256(f"{copy}:{source.stem}".encode()).digest()[:8], "big")
        rng = random.Random(seed)
        for entry in entries:
            entry["content"] = rewrite(entry.get("content", ""), rng, pool)
    target.write_text(json.dumps(data), encoding="utf-8")
    return [e.get("content", "") for e in entries]


def build_corpus(folder: Path, target_chunks: int, settings: Settings) -> dict[str, float]:
    """Fill `folder` with meeting copies until they hold at least `target_chunks` chunks.

    Reuses the folder when its manifest says it was built for the same target.
    """
    manifest = folder.parent / f"{folder.name}.manifest.json"  # not inside: ingest reads *.json
    if manifest.is_file() and folder.is_dir():
        saved: dict[str, float] = json.loads(manifest.read_text())
        if saved.get("target") == target_chunks and saved.get("distinct_text") == 1:
            return saved
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = sorted(QMSUM_TRAIN.glob("*.json")) + sorted(QMSUM_VAL.glob("*.json"))
    pool = vocabulary(sources)
    split = chunker(settings)
    chunks = files = copy = 0
    seen: set[bytes] = set()
    sentences = 0
    while chunks < target_chunks:
        for source in sources:
            target = folder / f"c{copy:03d}-{source.stem}.json"
            for turn in copy_meeting(source, target, copy, pool):
                for sentence in re.split(r"(?<=[.!?])\s+", turn):
                    if len(sentence.split()) >= 6:  # short backchannels repeat in real speech
                        sentences += 1
                        seen.add(hashlib.blake2b(sentence.encode(), digest_size=12).digest())
            chunks += len(split.chunk(load_session(target)))
            files += 1
            if chunks >= target_chunks:
                break
        copy += 1
    info = {
        "target": target_chunks, "chunks": chunks, "files": files, "distinct_text": 1,
        "sentences": sentences, "distinct_sentence_share": round(len(seen) / max(sentences, 1), 4),
    }
    manifest.write_text(json.dumps(info))
    return info


def corpus_files(folder: Path) -> list[Path]:
    """The meeting files of a corpus folder."""
    return sorted(folder.glob("*.json"))


def chunk_texts(folder: Path, settings: Settings) -> list[str]:
    """The product's chunk texts of a corpus, in ingest order."""
    split = chunker(settings)
    return [c.text for p in corpus_files(folder) for c in split.chunk(load_session(p))]


def questions(limit: int) -> list[str]:
    """QMSum val specific queries, in file order, at most `limit`."""
    out: list[str] = []
    for path in sorted(QMSUM_VAL.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out += [" ".join(q["query"].split()) for q in data.get("specific_query_list", [])]
    return out[:limit]
