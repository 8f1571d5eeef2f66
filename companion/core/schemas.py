"""Pydantic models shared by ingest, the service, the CLI and the evals."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    r"""True when `text` holds a surrogate code point, which UTF-8 cannot encode.

    JSON and YAML "\ud800" escapes decode to one; a response or the catalog then fails to
    encode the text.
    """
    return _LONE_SURROGATE.search(text) is not None


def _utf8_text(text: str) -> str:
    if has_lone_surrogate(text):
        raise ValueError("text holds an unpaired surrogate escape (\\ud800-\\udfff)")
    return text


Text = Annotated[str, AfterValidator(_utf8_text)]
"""A string from a client that can be stored and sent as UTF-8."""

SessionKind = str  # lunch-and-learn, shadowing, mentoring, briefing, meeting, notes, ...
# A learner's shared reflection on trying a tip: citable, but nobody's advice nor a peer's words.
REFLECTION_KIND = "reflection"


class Turn(BaseModel):
    """One speaker turn (or one paragraph / list item of notes)."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(description="0-based position of the turn in its session")
    speaker: str | None = None
    text: str
    start: float | None = Field(default=None, description="seconds from the session start")
    end: float | None = None
    section: str | None = Field(default=None, description="heading the note sits under")


class Session(BaseModel):
    """A parsed transcript or set of notes: metadata plus speaker turns."""

    id: str
    title: str
    date: str | None = Field(default=None, description="ISO date, YYYY-MM-DD")
    kind: SessionKind | None = None
    facilitator: str | None = None
    series: str | None = None
    consent: bool = True
    source: str = ""
    content_hash: str = ""
    turns: list[Turn] = Field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker:
                seen.setdefault(turn.speaker, None)
        return list(seen)


class Chunk(BaseModel):
    """A retrievable span of consecutive turns (or part of one long turn)."""

    id: str
    session_id: str
    text: str
    speakers: list[str]
    turn_start: int
    turn_end: int
    start: float | None = None
    end: float | None = None
    ordinal: int = 0


class Citation(BaseModel):
    """Where a quoted sentence comes from: session, speaker, time and turn range."""

    session_id: Text
    session_title: Text
    speaker: Text | None
    start: float | None
    end: float | None
    turn_start: int
    turn_end: int
    quote: Text
    url: Text | None = Field(
        default=None, description="opens the transcript at this moment (signed, short-lived)"
    )
    person_id: Text | None = Field(
        default=None, description="the directory person the speaker label names, if known"
    )


class Evidence(BaseModel):
    """A verbatim quote attributed to a speaker; used by tips and peers."""

    session_id: str
    speaker: str | None
    start: float | None
    end: float | None
    turn_start: int
    turn_end: int
    quote: str
    session_title: str | None = None
    url: str | None = Field(default=None, description="opens the transcript at this moment")


class DroppedSentence(BaseModel):
    """An answer sentence the verifier removed, and why."""

    sentence: str
    reason: str


class Verification(BaseModel):
    """What the GroundingVerifier kept and dropped from an answer."""

    kept: int = 0
    dropped: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)
    dropped_sentences: list[DroppedSentence] = Field(default_factory=list)


class SessionRef(BaseModel):
    """A session named as nearest when the companion abstains."""

    session_id: str
    title: str
    score: float


class Answer(BaseModel):
    """The answer to a question; `ask --json` and `POST /v1/ask` print this shape."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    generator: str = "extractive"
    nearest_sessions: list[SessionRef] = Field(default_factory=list)
    verification: Verification | None = None
    notice: str | None = Field(default=None, description="e.g. a fallback to extractive")
    confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="calibrated probability that the answer cites the right moment (0-1)",
    )


class SessionSummary(BaseModel):
    """A row of `sessions list --json`."""

    id: str
    title: str
    source: str
    kind: str | None
    date: str | None
    turns: int
    chunks: int


class IngestReport(BaseModel):
    """What one `companion ingest` run did."""

    added: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list, description="one clear line per bad file")
    chunks_embedded: int = 0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


FeedbackKind = Literal["helpful", "not_helpful", "wrong_citation", "broken_link", "other"]
