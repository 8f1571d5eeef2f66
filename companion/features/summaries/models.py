"""The shapes of summaries that the CLI, the API and the evals share.

Every item carries `citations`: verbatim quotes in the `Evidence` shape, each of which the
`GroundingVerifier` accepts (the service drops and counts items whose citations fail).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from companion.core.schemas import Evidence


class SummaryPoint(BaseModel):
    """One overview sentence, key point or tip, with the quotes it comes from."""

    text: str
    citations: list[Evidence] = Field(default_factory=list)


class ActionItem(BaseModel):
    """Something a person (or group) said they or someone else would do."""

    who: str | None = Field(default=None, description="owner; None when nobody is named")
    what: str
    when: str | None = Field(default=None, description="the deadline as said, e.g. 'by Friday'")
    citations: list[Evidence] = Field(default_factory=list)


class OpenQuestion(BaseModel):
    """A question asked in the session and not answered there."""

    question: str
    asked_by: str | None = None
    reason: str = Field(description="why it counts as open, e.g. 'reply: I don't know yet'")
    citations: list[Evidence] = Field(default_factory=list)


class Participant(BaseModel):
    """What one speaker contributed."""

    name: str
    turns: int
    words: int
    word_share: float = Field(description="share of the session's words, 0..1")
    point: SummaryPoint | None = Field(default=None, description="one representative point")


class SummaryVerification(BaseModel):
    """Items kept and dropped because a citation or its support failed verification."""

    kept: int = 0
    dropped: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)


class Summary(BaseModel):
    """A facilitator summary of one session; `summarise --format json` prints this shape."""

    session_id: str
    title: str
    date: str | None = None
    kind: str | None = None
    series: str | None = None
    facilitator: str | None = None
    consent: bool = True
    content_hash: str = ""
    generator: str = "extractive"
    generated_at: str = ""
    overview: list[SummaryPoint] = Field(default_factory=list)
    key_points: list[SummaryPoint] = Field(default_factory=list)
    tips: list[SummaryPoint] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    verification: SummaryVerification = Field(default_factory=SummaryVerification)
    notice: str | None = Field(default=None, description="e.g. a fallback to extractive")


class DigestSession(BaseModel):
    """One session of a series digest: what it was and its overview line."""

    session_id: str
    title: str
    date: str | None = None
    overview: SummaryPoint | None = None


class MergedPoint(SummaryPoint):
    """A key point or tip that one or more sessions of a series made."""

    sessions: int = Field(default=1, description="distinct sessions that made the point")


class SeriesOpenQuestion(OpenQuestion):
    """An open question of a series digest, with the session it was asked in."""

    session_id: str
    answered_in: list[str] = Field(
        default_factory=list, description="other sessions that answer it, when any"
    )


class SeriesDigest(BaseModel):
    """Sessions of one series: overview lines, merged points and tips, actions, questions."""

    series: str
    since: str | None = None
    sessions: list[DigestSession] = Field(default_factory=list)
    key_points: list[MergedPoint] = Field(default_factory=list)
    tips: list[MergedPoint] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    open_questions: list[SeriesOpenQuestion] = Field(default_factory=list)


class PeerRef(BaseModel):
    """Someone placed to answer an open question (from the peers feature)."""

    person_id: str
    name: str
    role: str | None = None
    reason: str = ""
    contact: str | None = None


class AnswerRef(BaseModel):
    """Where another session answers a question: the best answering quote."""

    session_id: str
    session_title: str
    similarity: float
    citation: Evidence


class CorpusQuestion(BaseModel):
    """An open question checked against the whole corpus (`summarise --open-questions`)."""

    session_id: str
    session_title: str
    date: str | None = None
    question: OpenQuestion
    answered_in: list[AnswerRef] = Field(default_factory=list)
    peers: list[PeerRef] = Field(
        default_factory=list, description="people best placed to answer, when still open"
    )

    @property
    def still_open(self) -> bool:
        """True when no other session answers the question."""
        return not self.answered_in
