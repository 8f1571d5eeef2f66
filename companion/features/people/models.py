"""A person in the directory."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Person(BaseModel):
    """Someone who may speak in sessions; only `recommendable` people are ever suggested."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list, description="speaker labels, as written")
    role: str | None = None
    team: str | None = None
    contact: str | None = None
    recommendable: bool = Field(
        default=False, description="opted in to being suggested as a peer (default: no)"
    )
