"""The shapes of tips that the CLI, the API and the evals share."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from companion.core.schemas import Evidence

TipStatus = Literal["unreviewed", "approved", "retired"]
ReviewAction = Literal["approve", "retire", "edit", "merge"]
Wording = Literal["quote", "llm", "reviewer"]


class TipQuote(BaseModel):
    """A verbatim quote that gives the tip: session, speaker, time and turn range."""

    session_id: str
    speaker: str | None
    start: float | None
    end: float | None
    turn_start: int
    turn_end: int
    quote: str
    session_title: str | None = None
    url: str | None = Field(default=None, description="opens the transcript at this moment")

    def evidence(self) -> Evidence:
        """The quote in the shape the `GroundingVerifier` checks."""
        return Evidence(**self.model_dump())


class TipSupport(BaseModel):
    """How many distinct sessions and speakers gave the tip (consented sessions only)."""

    sessions: int
    speakers: int


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
