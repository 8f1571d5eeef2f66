"""What a peer suggestion looks like to the CLI, the API and the evals."""

from __future__ import annotations

from pydantic import BaseModel, Field

from companion.core.schemas import Evidence


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
