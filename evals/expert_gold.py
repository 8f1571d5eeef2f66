"""Expert-finding gold for a QMSum split, built the way `derived/expert_finding_val.jsonl` is.

For each upstream topic of each meeting: the speakers ranked by their share of words inside the
topic's gold spans (kind `topic_speaker_share`); committee names lose a trailing parenthetical.
Words are counted on the transcript text with the `{...}` markup removed. Running it on `val`
and comparing with the derived file checks the recipe (`--check`); running it on `train` gives
the gold that peers' expertise weights are fitted to (see `evals/fit_expertise.py`).

Run: `python -m evals.expert_gold --split train --out /work/cache/people/expert_train.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

QMSUM = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "qmsum"
_MARKUP = re.compile(r"\{[a-z_]+\}")
_AMI = re.compile(r"(ES|IS|TS)\d{4}[a-d]")
_ICSI = re.compile(r"B[a-z]{2}\d{3}")


def domain_of(meeting_id: str) -> str:
    """Product (AMI), Academic (ICSI) or Committee, from the file name."""
    if _AMI.fullmatch(meeting_id):
        return "Product"
    if _ICSI.fullmatch(meeting_id):
        return "Academic"
    return "Committee"


def gold_speaker(meeting_id: str, label: str) -> str:
    """The speaker as the derived file names them: committee labels lose "(...)"."""
    label = label.strip()
    if domain_of(meeting_id) == "Committee":
        return label.split(" (")[0].strip() or label
    return label


def topic_rows(meeting_id: str, meeting: dict, split: str) -> list[dict]:
    """One `topic_speaker_share` record per topic with any words in its spans."""
    turns = meeting["meeting_transcripts"]
    rows = []
    for topic in meeting["topic_list"]:
        words: Counter[str] = Counter()
        for start, end in topic["relevant_text_span"]:
            for turn in turns[int(start): int(end) + 1]:
                words[gold_speaker(meeting_id, turn["speaker"])] += len(
                    _MARKUP.sub(" ", turn["content"]).split())
        total = sum(words.values())
        if not total:
            continue
        share = [[s, round(n / total, 3)] for s, n in words.most_common()]
        rows.append({
            "kind": "topic_speaker_share", "split": split, "domain": domain_of(meeting_id),
            "meeting_id": meeting_id, "topic": topic["topic"],
            "relevant_text_span": topic["relevant_text_span"], "speaker_word_share": share,
        })
    return rows


def build(split: str) -> list[dict]:
    """Every topic record of the split, meetings in name order."""
    rows: list[dict] = []
    for path in sorted((QMSUM / split).glob("*.json")):
        rows.extend(topic_rows(path.stem, json.loads(path.read_text(encoding="utf-8")), split))
    return rows


def check_against_derived(rows: list[dict]) -> str:
    """How often the rebuilt val gold names the same top speaker as the derived file."""
    derived = [json.loads(x) for x in
               (QMSUM / "derived" / "expert_finding_val.jsonl").read_text().splitlines()]
    derived = [r for r in derived if r["kind"] == "topic_speaker_share"]
    ours = {(r["meeting_id"], r["topic"]): r["speaker_word_share"][0][0] for r in rows}
    same = sum(ours.get((r["meeting_id"], r["topic"])) == r["speaker_word_share"][0][0]
               for r in derived)
    return f"top speaker agrees with the derived file on {same}/{len(derived)} val topics"


def main() -> None:
    """Write the split's gold as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "val"), default="train")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="compare val with derived/")
    args = parser.parse_args()
    rows = build(args.split)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} topics -> {args.out}")
    if args.check and args.split == "val":
        print(check_against_derived(rows))


if __name__ == "__main__":
    main()
