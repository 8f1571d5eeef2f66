"""Check a tips corpus's gold: every quote verbatim in its session, said by the named person.

Loads each session with the ingest parsers (the turns the product reads), then for every gold
occurrence looks for a turn of that session whose text contains the quote exactly and whose
speaker resolves (through `people.yaml`'s aliases) to the occurrence's speaker. Also lists each
session's turn count and any speaker label `people.yaml` does not know.

Run: `python -m evals.tips_gold_check --path DIR` (samples layout). Exit status 1 when a quote
is missing, so a new corpus can be checked before anything is run on it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.tips_eval import load_aliases, load_gold
from ingest.parsers import discover, load_session


def problems(root: Path) -> tuple[list[str], dict[str, int]]:
    """(one line per gold occurrence not verbatim or not by its speaker, turns per session)."""
    files, errors = discover([root / "sessions"])
    out = [f"unreadable: {e}" for e in errors]
    sessions = {s.id: s for s in (load_session(p) for p in files)}
    aliases = load_aliases(root / "people.yaml")

    def person(label: str | None) -> str:
        return aliases.get(label or "", label or "")

    for gold in load_gold(root / "gold" / "tips.jsonl"):
        for occ in gold.occurrences:
            session = sessions.get(occ.session)
            if session is None:
                out.append(f"{gold.id}: no session {occ.session}")
                continue
            turns = [t for t in session.turns if occ.quote in t.text]
            if not turns:
                out.append(f"{gold.id}: not verbatim in {occ.session}: {occ.quote[:70]}")
            elif all(person(t.speaker) != person(occ.speaker) for t in turns):
                out.append(f"{gold.id}: said by {turns[0].speaker}, gold says {occ.speaker}")
    if aliases:
        for sid, session in sorted(sessions.items()):
            unknown = sorted({t.speaker or "" for t in session.turns} - set(aliases))
            out.extend(f"{sid}: speaker not in people.yaml: {u}" for u in unknown)
    return out, {sid: len(s.turns) for sid, s in sorted(sessions.items())}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the problems and the turn counts; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, required=True, help="corpus folder (samples layout)")
    args = parser.parse_args(argv)
    found, turns = problems(args.path)
    for sid, n in turns.items():
        print(f"{sid}: {n} turns")
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    if found:
        sys.exit(1)


if __name__ == "__main__":
    main()
