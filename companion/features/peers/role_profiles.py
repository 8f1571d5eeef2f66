"""What each role talks about, fitted on meeting transcripts: which role owns a topic's words.

`role_profiles.json` (written by `evals/fit_role_profiles.py` from QMSum train AMI meetings)
holds, per term, the share of its use that falls to each role (use rates normalised over the
roles; 1/n each when the term belongs to nobody). A topic's score for a role is the mean of
that share minus 1/n over the topic's terms the table knows: positive when the role says the
topic's words more than the others do. A role the table does not hold scores nothing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from companion.core.terms import content_terms

PROFILES = Path(__file__).with_name("role_profiles.json")


class RoleProfiles:
    """Per-term role shares, looked up by role title (case-insensitive).

    Args:
        roles: the role titles, in the order of each term's shares.
        terms: term -> share of its use per role.
    """

    def __init__(self, roles: list[str], terms: dict[str, list[float]]) -> None:
        self.index = {r.strip().lower(): i for i, r in enumerate(roles)}
        self.terms = terms
        self.even = 1.0 / max(1, len(roles))

    @classmethod
    def load(cls, path: Path = PROFILES) -> RoleProfiles:
        """The table in a JSON file (`roles`, `terms`)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(list(data["roles"]), dict(data["terms"]))

    def score(self, topic: str, role: str) -> float:
        """How much more than an even share this role says the topic's words (0: unknown)."""
        i = self.index.get(role.strip().lower())
        if i is None:
            return 0.0
        shares = [self.terms[t][i] for t in dict.fromkeys(content_terms(topic))
                  if t in self.terms]
        return sum(shares) / len(shares) - self.even if shares else 0.0


@lru_cache(maxsize=1)
def default_profiles() -> RoleProfiles:
    """The bundled table (read once)."""
    return RoleProfiles.load()
