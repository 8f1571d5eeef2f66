"""What a format parser hands back to `load_session`, before metadata is layered on."""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.core.schemas import Turn
from ingest.parsers.metadata import Metadata


@dataclass(frozen=True)
class ParsedFile:
    """Turns and in-file metadata of one file.

    Attributes:
        turns: Turns with `index` already their position in the list.
        metadata: Metadata found inside the file (front matter, JSON keys).
        title_hint: A title the content suggests (a markdown H1), below any metadata title.
        default_kind: Session kind when no metadata gives one.
        speaker_from_author: Notes have no speakers; attribute them to the author (or
            facilitator) once sidecar metadata is known.
    """

    turns: list[Turn]
    metadata: Metadata = field(default_factory=Metadata)
    title_hint: str | None = None
    default_kind: str | None = None
    speaker_from_author: bool = False
