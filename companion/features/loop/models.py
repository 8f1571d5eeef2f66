"""The shapes of the learning loop that the API, the CLI and the widget share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from companion.core.schemas import Text

Outcome = Literal["worked", "partly", "did_not"]
OUTCOMES: tuple[Outcome, ...] = ("worked", "partly", "did_not")

# A pseudonymous id the embedding page passes (`data-learner`): no spaces, no markup.
LearnerId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9._:@+-]{1,128}$", strip_whitespace=True)
]


class TryIn(BaseModel):
    """'I'll try this': a tip (by id) or an answer (by its question), for one learner."""

    model_config = ConfigDict(extra="forbid")

    tip_id: str | None = Field(default=None, min_length=1, max_length=100)
    question: Text | None = Field(default=None, min_length=1, max_length=2_000)
    learner: LearnerId

    @model_validator(mode="after")
    def _one_subject(self) -> TryIn:
        if (self.tip_id is None) == (self.question is None):
            raise ValueError("give exactly one of tip_id or question")
        return self


class OutcomeIn(BaseModel):
    """How trying it went, an optional reflection, and whether to share that reflection."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    # The configured limit (`loop.max_reflection_chars`) is checked by the service; this bound
    # only keeps absurd bodies out of validation.
    reflection: Text | None = Field(default=None, max_length=100_000)
    share: bool = Field(default=False, description="let the reflection become citable evidence")
    learner: LearnerId | None = Field(
        default=None, description="when given, must be the learner who made the try"
    )


class TryRecord(BaseModel):
    """One try as its learner sees it."""

    id: str
    learner: str
    tip_id: str | None = None
    question: str | None = None
    subject: str | None = Field(
        default=None, description="what was tried: the tip's text or the question"
    )
    created_at: str
    outcome: Outcome | None = None
    reflection: str | None = None
    share: bool = False
    outcome_at: str | None = None
    reflection_session: str | None = Field(
        default=None, description="the shared reflection as a citable session"
    )
    follow_up_at: str | None = Field(
        default=None, description="when to ask 'How did it go?' (open tries only)"
    )
    follow_up_due: bool = False


class TryCreated(BaseModel):
    """What `POST /v1/tries` answers."""

    id: str
    follow_up_at: str


class LearnerTries(BaseModel):
    """A learner's own tries, open and closed (`GET /v1/tries?learner=`)."""

    learner: str
    open: list[TryRecord] = Field(default_factory=list)
    closed: list[TryRecord] = Field(default_factory=list)
    due: int = Field(default=0, description="open tries old enough to ask how they went")
    follow_up_days: int


class ForgetLearnerReport(BaseModel):
    """What forgetting a learner removed."""

    tries_removed: int = 0
    reflections_unpublished: int = 0
