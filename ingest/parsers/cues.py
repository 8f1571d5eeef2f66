"""Timed captions shared by WebVTT and SRT: timing lines, ordering checks, sentence merging."""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Turn

# Hours are optional (WebVTT allows MM:SS.mmm); "," or "." before the milliseconds is accepted in
# both formats because converters mix them up and the meaning is unambiguous. A seconds field of
# 60 is accepted: exporters that round 59.9996 s produce it (seen in real files), and the total
# is still well defined.
_TIMESTAMP = re.compile(r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d|60)[.,](\d{3})")
_SENTENCE_END = (".", "?", "!", "…")
_CLOSING_QUOTES = "\"'”’»"


Block = list[tuple[int, str]]
"""Consecutive non-blank lines, each with its 1-based line number."""


@dataclass(frozen=True)
class Cue:
    """One caption: its timing line number, times, speaker and cleaned text."""

    line: int
    start: float
    end: float
    speaker: str | None
    text: str


def split_blocks(lines: list[str]) -> list[Block]:
    """Group lines into blank-line separated blocks, keeping line numbers for errors."""
    blocks: list[Block] = []
    current: Block = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_timing_line(line: str, number: int, path: str) -> tuple[float, float]:
    """Read `start --> end [settings]` into seconds.

    Raises:
        TranscriptParseError: A time is malformed, or the cue ends before it starts.
    """
    before, _, after = line.partition("-->")
    start_text = before.strip()
    end_text = after.split(maxsplit=1)[0] if after.strip() else ""
    for stamp in (start_text, end_text):
        if not _TIMESTAMP.fullmatch(stamp):
            shown = stamp or line.strip()
            raise TranscriptParseError(path, f"malformed timestamp '{shown[:80]}'", line=number)
    start, end = parse_timestamp(start_text), parse_timestamp(end_text)
    if end < start:
        raise TranscriptParseError(path, "cue ends before it starts", line=number)
    return start, end


def parse_timestamp(stamp: str) -> float:
    """Seconds in a `[HH:]MM:SS.mmm` stamp that `_TIMESTAMP` already matched."""
    match = _TIMESTAMP.fullmatch(stamp)
    if match is None:
        raise ValueError(f"not a timestamp: {stamp!r}")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def format_timestamp(seconds: float, separator: str = ".") -> str:
    """Show seconds as `HH:MM:SS.mmm` (or with "," for SRT) in error messages."""
    total_millis = round(seconds * 1000)
    hours, rest = divmod(total_millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def check_cue_order(
    previous_start: float | None, cue_start: float, number: int, path: str, separator: str = "."
) -> None:
    """Refuse a cue that starts before the cue above it.

    Raises:
        TranscriptParseError: Naming both times and the cue's timing line.
    """
    if previous_start is not None and cue_start < previous_start:
        raise TranscriptParseError(
            path,
            f"timestamp out of order: {format_timestamp(cue_start, separator)} starts before "
            f"the previous cue ({format_timestamp(previous_start, separator)})",
            line=number,
        )


def ends_sentence(text: str) -> bool:
    """True when `text` ends with . ? ! or …, optionally followed by closing quotes."""
    return text.rstrip().rstrip(_CLOSING_QUOTES).endswith(_SENTENCE_END)


def merge_cues(cues: list[Cue]) -> list[Turn]:
    """Turn cues into turns, joining a speaker's consecutive cues while a sentence continues.

    Captioners split sentences across cues at arbitrary points; a turn per cue would cut
    quotes mid-sentence. A cue that ends a sentence is never merged with the next one.
    """
    groups: list[list[Cue]] = []
    for cue in cues:
        last = groups[-1][-1] if groups else None
        if last is not None and last.speaker == cue.speaker and not ends_sentence(last.text):
            groups[-1].append(cue)
        else:
            groups.append([cue])
    return [
        Turn(
            index=index,
            speaker=group[0].speaker,
            text=" ".join(cue.text for cue in group),
            start=group[0].start,
            end=group[-1].end,
        )
        for index, group in enumerate(groups)
    ]
