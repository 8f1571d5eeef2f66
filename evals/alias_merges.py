"""Which speaker labels identity resolution joins, session by session, in an ingested store.

Prints, per session, every label with the identity it resolves to (a directory person id, or
"name:<full name>"), and a count of labels joined to a person under another spelling.

Run: `python -m evals.alias_merges DATA_DIR` (a folder with an ingested catalog).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from companion.core.identity import normalise_name
from companion.features.people.identities import Identities
from companion.storage.catalog import Catalog


def main() -> None:
    """Print each session's labels and identities, then how many distinct people there are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args()
    identities = Identities(Catalog(args.data_dir / "catalog.sqlite3"))
    labels_by_identity: dict[str, set[str]] = defaultdict(set)
    rows = identities.catalog.conn.execute("SELECT id FROM sessions ORDER BY id").fetchall()
    for (session_id,) in rows:
        found = identities.for_session(str(session_id))
        print(f"\n{session_id}")
        for label, ident in sorted(found.items()):
            print(f"  {label!r:40} -> {ident}")
            labels_by_identity[ident].add(label)
    print("\n## People under more than one label\n")
    for ident, labels in sorted(labels_by_identity.items()):
        if len({normalise_name(x) for x in labels}) > 1 or len(labels) > 1:
            print(f"- {ident}: {', '.join(sorted(labels))}")
    n_labels = sum(len(v) for v in labels_by_identity.values())
    print(f"\n{n_labels} distinct labels -> {len(labels_by_identity)} identities")
    agree, total, wrong = names_only_agreement(identities)
    print(f"\nwith names only (no aliases) the same person for {agree}/{total} session labels")
    for line in wrong:
        print(f"- {line}")



def names_only_agreement(identities: Identities) -> tuple[int, int, list[str]]:
    """Session labels resolved alike with the directory's names alone and with its aliases.

    The aliases are the answer key; the names-only run is what the transcript rules find.
    """
    from companion.core.identity import resolve_labels

    people = identities.people
    names_only = {normalise_name(p.name): pid for pid, p in people.items()}
    names = {pid: p.name for pid, p in people.items()}
    agree = total = 0
    wrong: list[str] = []
    rows = identities.catalog.conn.execute("SELECT id FROM sessions ORDER BY id").fetchall()
    for (session_id,) in rows:
        full = identities.for_session(str(session_id))
        bare = resolve_labels(list(full), names_only, names)
        for label, ident in full.items():
            total += 1
            if bare[label] == ident:
                agree += 1
            else:
                wrong.append(f"{session_id}: {label!r} -> {bare[label]} (aliases: {ident})")
    return agree, total, wrong


if __name__ == "__main__":
    main()
