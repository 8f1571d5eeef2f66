"""What a peer suggestion looks like to the CLI, the API and the evals."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from companion.core.schemas import Evidence

_EMAIL = re.compile(r"[^\s@<>()\"]+@[^\s@<>()\"]+\.[^\s@<>()\"]+")


def mailto_link(contact: str | None) -> str | None:
    """`mailto:` + the contact when it is an email address, else None."""
    text = (contact or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return f"mailto:{text}" if _EMAIL.fullmatch(text) else None


class PeerSuggestion(BaseModel):
    """A person to talk to or shadow, why, and what they said; `peers --json` prints a list."""

    person_id: str
    name: str
    role: str | None = None
    team: str | None = None
    contact: str | None = None
    score: float
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)


class PeerResult(BaseModel):
    """The suggestions for a topic, or a plain message when there is nobody to suggest."""

    topic: str
    shadow: bool = False
    suggestions: list[PeerSuggestion] = Field(default_factory=list)
    message: str | None = None
