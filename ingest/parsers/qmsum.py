"""QMSum meeting JSON: `meeting_transcripts` entries become turns one-for-one."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Turn
from ingest.parsers.result import ParsedFile
from ingest.parsers.text import check_encodable, clean_text, describe_value

_MARKUP = re.compile(r"\{[a-z_]+\}")  # {vocalsound}, {disfmarker}, {gap}, {nonvocalsound}
_AMI_STEM = re.compile(r"(ES|IS|TS)(\d{4})[a-d]")
_ICSI_STEM = re.compile(r"B[a-z]{2}\d{3}")


def is_qmsum(data: object) -> bool:
    """True for a QMSum meeting object (top-level `meeting_transcripts`)."""
    return isinstance(data, dict) and "meeting_transcripts" in data


def parse_qmsum(data: Mapping[str, object], path: str, stem: str) -> ParsedFile:
    """Turn each transcript entry into a turn at the same index, never dropping or merging.

    QMSum answers point at entry indices, so an entry with no words left after markup removal
    still becomes a turn (with text ""). Speaker labels are made meeting-specific where the
    corpus reuses them for different people (see `speaker_labeller`).

    Raises:
        TranscriptParseError: Naming the first malformed entry.
    """
    entries = data["meeting_transcripts"]
    if not isinstance(entries, list):
        raise TranscriptParseError(
            path, f"meeting_transcripts: expected a list, got {describe_value(entries)}"
        )
    if not entries:
        raise TranscriptParseError(path, "meeting_transcripts: no entries")
    label = speaker_labeller(stem)
    turns = [_read_entry(entry, index, path, label) for index, entry in enumerate(entries)]
    return ParsedFile(turns=turns, default_kind="meeting")


def speaker_labeller(stem: str) -> Callable[[str], str]:
    """How to label speakers of the meeting whose file is named `stem`.

    AMI ("ES2011a") labels are roles ("Marketing") and ICSI ("Bro017") labels are codes
    ("Professor B"); both repeat across meetings for different people, so they get the
    series or meeting appended: "Marketing (ES2011)", "Professor B (Bro017)". Other labels
    lose a trailing parenthetical: "Hon. Bill Blair (Minister of ...)" -> "Hon. Bill Blair".
    """
    ami = _AMI_STEM.fullmatch(stem)
    if ami is not None:
        series = ami.group(1) + ami.group(2)
        return lambda speaker: f"{speaker} ({series})"
    if _ICSI_STEM.fullmatch(stem):
        return lambda speaker: f"{speaker} ({stem})"
    return _without_parenthetical


def _without_parenthetical(speaker: str) -> str:
    if not speaker.endswith(")"):
        return speaker
    opening = speaker.rfind("(")
    name = speaker[:opening].strip() if opening > 0 else ""
    return name or speaker


def _read_entry(entry: object, index: int, path: str, label: Callable[[str], str]) -> Turn:
    where = f"meeting_transcripts[{index}]"
    if not isinstance(entry, dict):
        raise TranscriptParseError(
            path,
            f"{where}: expected an object with 'speaker' and 'content', got "
            f"{describe_value(entry)}",
        )
    speaker, content = entry.get("speaker"), entry.get("content")
    if speaker is not None and not isinstance(speaker, str):
        raise TranscriptParseError(
            path, f"{where}.speaker: expected text, got {describe_value(speaker)}"
        )
    if content is not None and not isinstance(content, str):
        raise TranscriptParseError(
            path, f"{where}.content: expected text, got {describe_value(content)}"
        )
    check_encodable(speaker or "", f"{where}.speaker", path)
    check_encodable(content or "", f"{where}.content", path)
    name = clean_text(speaker or "")
    return Turn(
        index=index,
        speaker=label(name) if name else None,
        text=clean_text(_MARKUP.sub(" ", content or "")),
    )
