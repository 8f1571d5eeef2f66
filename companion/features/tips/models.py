"""The shapes of tips that the CLI, the API and the evals share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from companion.core.schemas import Evidence

TipStatus = Literal["unreviewed", "approved", "retired"]
ReviewAction = Literal["approve", "retire", "edit", "merge"]
Wording = Literal["quote", "llm", "reviewer"]


class TipQuote(Evidence):
    """A verbatim quote that gives the tip: session, speaker, time and turn range.

    The same shape as every cited quote (`Evidence`); a name of its own in the API schema.
    """

    def evidence(self) -> Evidence:
        """The quote in the shape the `GroundingVerifier` checks."""
        return Evidence(**self.model_dump())


class TipSupport(BaseModel):
    """How many distinct sessions and speakers gave the tip (consented sessions only)."""

    sessions: int
    speakers: int


class TipOutcomes(BaseModel):
    """What learners who tried the tip reported (counts only; no learner is named)."""

    tried: int = Field(default=0, description="learners who said they would try it")
    worked: int = 0
    partly: int = 0
    did_not: int = 0
    flagged: bool = Field(
        default=False, description="many reported an outcome and few found the tip useful"
    )


class ReflectionQuote(BaseModel):
    """A reflection a learner chose to share about trying the tip."""

    quote: str
    outcome: Literal["worked", "partly", "did_not"]
    date: str | None = None
    session_id: str | None = Field(
        default=None, description="the reflection as a citable session (kind `reflection`)"
    )


class OutcomesProvider(Protocol):
    """Where tips learn how trying them went (the learning loop; wired by the composition root)."""

    def outcomes(self, tip_ids: Sequence[str]) -> Mapping[str, TipOutcomes]:
        """Outcome counts per tip id (tips nobody tried may be missing)."""

    def reflections(self, tip_id: str) -> list[ReflectionQuote]:
        """The shared reflections on one tip, newest first."""


class Tip(BaseModel):
    """One tip as `companion tips --json` and `GET /v1/tips` print it."""

    id: str
    text: str
    topics: list[str]
    support: TipSupport
    first_seen: str | None
    last_seen: str | None
    status: TipStatus
    contradicts: list[str]
    quotes: list[TipQuote]
    wording: Wording = Field(
        default="quote",
        description="whose words `text` is: a tidied quote, a verified model rewording, or a "
        "reviewer's edit",
    )
    outcomes: TipOutcomes = Field(
        default_factory=TipOutcomes, description="how it went for learners who tried it"
    )


class ReviewEvent(BaseModel):
    """One entry of a tip's history: who did what, when."""

    action: str
    detail: str | None = None
    by: str
    at: str


class TipDetail(Tip):
    """A tip with its history, as `companion tips show --json` prints it."""

    edited: bool = Field(description="the text is a reviewer's wording rather than a quote")
    merged_from: list[str] = Field(default_factory=list)
    history: list[ReviewEvent] = Field(default_factory=list)
    sessions: dict[str, str] = Field(
        default_factory=dict, description="session id -> title, for the sessions quoted"
    )
    reflections: list[ReflectionQuote] = Field(
        default_factory=list, description="what learners who tried it shared, newest first"
    )
