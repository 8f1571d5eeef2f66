"""Fit what each AMI role talks about, from QMSum TRAIN transcripts, for peers' role fit.

A role title alone ("Project Manager") is too little text to tell which role owns a topic such
as "what we may spend on each unit". Each AMI meeting has four speakers labelled by role; over
the train AMI meetings, a term's use rate per role (its count in the role's turns over the
role's words, add-half smoothed), normalised to sum to 1 over the four roles, says which role
the term belongs to (0.25 each: nobody's). `features/peers/role_profiles.py` reads the table;
a topic's profile score for a role is the mean over the topic's known terms of that share
minus 0.25.

Left out of the fit, so that figures on them are not in-sample for the profile: the series of
every role question set (`evals/role_questions.py`: the two train tuning sets and the third
held-out set); val is never read.

Run: `python -m evals.fit_role_profiles [--out FILE]`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from companion.core.terms import content_terms
from companion.features.peers.role_profiles import PROFILES
from evals.expert_gold import QMSUM
from evals.role_questions import DEV_SERIES, ROLES, SERIES, THIRD_SERIES

MIN_COUNT = 5
SMOOTH = 0.5
LEFT_OUT = (*SERIES, *DEV_SERIES, *THIRD_SERIES)


def fit(files: list[Path]) -> dict[str, object]:
    """The per-role term shares over these AMI meetings."""
    counts = {label: Counter[str]() for label in ROLES}
    for path in files:
        for turn in json.loads(path.read_text(encoding="utf-8"))["meeting_transcripts"]:
            if turn["speaker"] in counts:
                counts[turn["speaker"]].update(content_terms(turn["content"]))
    words = {label: sum(c.values()) or 1 for label, c in counts.items()}
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    terms: dict[str, list[float]] = {}
    for term in sorted(t for t, n in total.items() if n >= MIN_COUNT):
        rates = [(counts[label][term] + SMOOTH) / words[label] for label in ROLES]
        norm = sum(rates)
        terms[term] = [round(r / norm, 3) for r in rates]
    return {"roles": [ROLES[label] for label in ROLES], "terms": terms}


def main() -> None:
    """Fit on the train AMI meetings outside the role question series and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROFILES)
    args = parser.parse_args()
    files = [p for p in sorted((QMSUM / "train").glob("*.json"))
             if p.stem[:2] in ("ES", "IS", "TS") and p.stem[:6] not in LEFT_OUT]
    table = fit(files)
    table["fitted_on"] = f"{len(files)} QMSum train AMI meetings; left out: {', '.join(LEFT_OUT)}"
    args.out.write_text(dumps(table), encoding="utf-8")
    print(f"{len(table['terms'])} terms from {len(files)} meetings -> {args.out}")  # type: ignore[arg-type]


def dumps(table: dict[str, object]) -> str:
    """The table as JSON with one term per line (small, readable diffs)."""
    terms: dict[str, list[float]] = table["terms"]  # type: ignore[assignment]
    head = {k: v for k, v in table.items() if k != "terms"}
    rows = ",\n".join(f"  {json.dumps(t)}: {json.dumps(v)}" for t, v in terms.items())
    return json.dumps(head, indent=1)[:-2] + ',\n "terms": {\n' + rows + "\n }\n}\n"


if __name__ == "__main__":
    main()
