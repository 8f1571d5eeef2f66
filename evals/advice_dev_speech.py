"""Write `evals/data/advice_dev_speech.jsonl`: advice labels for the tuning dev corpora's sentences.

Source: our own MIT-licensed dev corpora (`evals/data/dev/`, written from scratch for this
repository), only the four *tuning* corpora (`TUNING`: lab, ward, oncall, staffroom); the
held-out ones (garage, planning, zoo, hotel) and the samples are never read here. Each session
(consented ones only: the gold leaves the others out) is split into sentences the way tips
extraction does (`_sentence_spans` per turn, turns under a tips-list heading skipped - their items
are advice by position and never scored), and only the sentences extraction would score
(`worth_scoring`) are kept. A sentence is labelled advice (1) when, in the same session, it and a
gold occurrence quote of `gold/tips.jsonl` contain one another after `normalise` (verbatim, either
way), else 0. Source per row: `dev:<corpus>` (the detector's training folds group by corpus).
Tried for issue 16 (2026-12-02) as extra speech training rows for the detector (train side
only, never in the speech test part) and not adopted: see `evals/README.md` (top tips), so
`evals.advice_data` does not read this file. To repeat the try, add it to `transcript_rows` and
`training_files` there, with its `dev:*` sources always in the train part.

Run: `python -m evals.advice_dev_speech` (deterministic; rewrites the file).
"""

from __future__ import annotations

import json

from companion.core.grounding import normalise
from companion.core.settings import TipsSettings
from companion.features.tips.extraction import _sentence_spans, is_tips_heading, worth_scoring
from evals.advice_data import ROOT, Example

TUNING = ("lab", "oncall", "staffroom", "ward")  # never the held-out corpora or the samples
DEV = ROOT / "evals" / "data" / "dev"
DEV_SPEECH = ROOT / "evals" / "data" / "advice_dev_speech.jsonl"


def corpus_rows(name: str) -> list[Example]:
    """Labelled sentences of one tuning corpus, in session and turn order."""
    from evals.tips_eval import load_gold
    from ingest.parsers import discover, load_session

    if name not in TUNING:
        raise ValueError(f"{name} is not a tuning corpus")
    root = DEV / name
    gold = [(o.session, normalise(o.quote)) for g in load_gold(root / "gold" / "tips.jsonl")
            for o in g.occurrences]
    settings = TipsSettings()
    files, _ = discover([root / "sessions"])
    rows: list[Example] = []
    for session in sorted((load_session(f) for f in files), key=lambda s: s.id):
        if not session.consent:
            continue
        quotes = [q for sid, q in gold if sid == session.id]
        for turn in session.turns:
            if is_tips_heading(turn.section, settings):
                continue
            for sp in _sentence_spans(turn.text):
                text = turn.text[sp.start : sp.end]
                if not worth_scoring(text, settings):
                    continue
                norm = normalise(text)
                label = int(any(norm in q or q in norm for q in quotes))
                rows.append(Example(text, label, f"dev:{name}"))
    return rows


def main() -> None:
    """Write the rows of every tuning corpus and print the counts."""
    lines: list[str] = []
    for name in TUNING:
        rows = corpus_rows(name)
        print(f"{name}: {len(rows)} sentences, {sum(r.label for r in rows)} advice")
        lines += [json.dumps({"text": r.text, "label": r.label, "source": r.source},
                             ensure_ascii=False) for r in rows]
    DEV_SPEECH.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
