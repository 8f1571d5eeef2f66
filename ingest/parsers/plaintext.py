"""Plain-text transcripts (`.txt`): `[HH:MM:SS] Speaker Name: text` lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Turn
from ingest.parsers.result import ParsedFile
from ingest.parsers.speakers import split_speaker_prefix
from ingest.parsers.text import clean_text, split_lines

_STAMP = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):([0-5]\d)(?:[.,](\d{1,3}))?")
_STAMP_CLOSERS = {"[": "]", "(": ")"}
_MAX_STAMP_CHARS = 20


@dataclass
class _Draft:
    speaker: str
    start: float | None
    line: int
    parts: list[str] = field(default_factory=list)


def parse_plaintext(text: str, path: str) -> ParsedFile:
    """Parse `Speaker: text` lines; unprefixed lines continue the turn above.

    A line may start with `[HH:MM:SS]`, `[MM:SS]` or `(HH:MM:SS)`. Each stamped turn ends where
    the next stamped turn starts. A stamp on a line without a speaker is dropped, since the
    line only continues the turn above.

    Raises:
        TranscriptParseError: Text before the first speaker, no speakers at all, or a
            malformed or backwards timestamp.
    """
    drafts: list[_Draft] = []
    orphan_line: int | None = None
    for number, raw in enumerate(split_lines(text, path), start=1):
        line = raw.strip()
        if not line:
            continue
        start, rest = _split_stamp(line, number, path)
        speaker, body = split_speaker_prefix(rest)
        if speaker is None:
            if drafts:
                drafts[-1].parts.append(rest)
            elif orphan_line is None:
                orphan_line = number
            continue
        if start is not None:
            _check_order(drafts, start, number, path)
        drafts.append(_Draft(speaker, start, number, [body]))
    if not drafts:
        raise TranscriptParseError(path, "no 'Speaker: text' lines found")
    if orphan_line is not None:
        raise TranscriptParseError(path, "text before the first 'Speaker: ' line", line=orphan_line)
    return ParsedFile(turns=_to_turns(drafts, path))


def _split_stamp(line: str, number: int, path: str) -> tuple[float | None, str]:
    closer = _STAMP_CLOSERS.get(line[0])
    if closer is None:
        return None, line
    close = line.find(closer, 1, _MAX_STAMP_CHARS)
    if close < 0:
        return None, line
    inner = line[1:close].strip()
    # Brackets that start with a digit and hold a colon are meant as a time ("[12:7x]");
    # anything else ("[inaudible]", "(2)") is ordinary text.
    if not (inner[:1].isdigit() and ":" in inner):
        return None, line
    match = _STAMP.fullmatch(inner)
    if match is None or (match.group(1) is not None and int(match.group(2)) > 59):
        raise TranscriptParseError(
            path,
            f"malformed timestamp '{line[: close + 1]}' (expected [HH:MM:SS] or [MM:SS])",
            line=number,
        )
    hours, minutes, seconds, fraction = match.groups()
    start = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return start + (float(f"0.{fraction}") if fraction else 0.0), line[close + 1 :].strip()


def _check_order(drafts: list[_Draft], start: float, number: int, path: str) -> None:
    previous = next((d for d in reversed(drafts) if d.start is not None), None)
    if previous is not None and previous.start is not None and start < previous.start:
        raise TranscriptParseError(
            path,
            f"timestamp out of order: {_clock(start)} starts before the previous turn "
            f"({_clock(previous.start)}, line {previous.line})",
            line=number,
        )


def _to_turns(drafts: list[_Draft], path: str) -> list[Turn]:
    ends: list[float | None] = []
    next_start: float | None = None
    for draft in reversed(drafts):
        ends.append(next_start if draft.start is not None else None)
        if draft.start is not None:
            next_start = draft.start
    ends.reverse()
    turns: list[Turn] = []
    for draft, end in zip(drafts, ends, strict=True):
        text = clean_text(" ".join(draft.parts))
        if text:  # "Alice:" with nothing after it and no continuation says nothing
            turns.append(
                Turn(index=len(turns), speaker=draft.speaker, text=text, start=draft.start, end=end)
            )
    if not turns:
        raise TranscriptParseError(path, "no text after the speaker names")
    return turns


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
