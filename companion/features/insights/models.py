"""What `GET /v1/insights` and `companion insights --json` print."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnansweredQuestion(BaseModel):
    """A question the sessions did not answer, with how often it was asked."""

    question: str = Field(description="the latest wording asked")
    count: int
    last_asked: str


class WeekCount(BaseModel):
    """Questions in one week (weeks start on Monday)."""

    week: str = Field(description="the Monday, YYYY-MM-DD")
    asked: int
    answered: int
    unanswered: int


class TopicCount(BaseModel):
    """A word learners' questions use, with how many questions use it."""

    topic: str
    count: int


class Insights(BaseModel):
    """What learners asked, what went unanswered, and how the companion was used."""

    total: int
    answered: int
    answered_share: float | None = Field(description="answered / total; None before any")
    unanswered: list[UnansweredQuestion]
    weekly: list[WeekCount]
    top_questions: list[UnansweredQuestion] = Field(
        default_factory=list, description="the most asked questions, answered or not"
    )
    top_topics: list[TopicCount] = Field(
        default_factory=list, description="the words questions use most (stopwords dropped)"
    )
    usage: dict[str, int] = Field(
        default_factory=dict, description="e.g. tips_viewed, peers_suggested"
    )
    feedback: dict[str, int] = Field(
        default_factory=dict, description="feedback kinds given on logged answers"
    )
