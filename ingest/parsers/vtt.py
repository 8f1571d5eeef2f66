"""WebVTT captions (`.vtt`): one turn per speaker sentence run, speakers from voice tags."""

from __future__ import annotations

import html
import re

from companion.core.errors import TranscriptParseError
from ingest.parsers.cues import (
    Block,
    Cue,
    check_cue_order,
    merge_cues,
    parse_timing_line,
    split_blocks,
)
from ingest.parsers.result import ParsedFile
from ingest.parsers.speakers import split_speaker_prefix
from ingest.parsers.text import clean_text, split_lines

# `[^<>]` (not `[^>]`) stops every scan at the next "<", which keeps matching linear even on
# a hostile line of thousands of unclosed "<v".
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:\s([^<>]*))?>")
_TAG = re.compile(r"<[^<>]*>")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def parse_vtt(text: str, path: str) -> ParsedFile:
    """Parse WebVTT text into turns.

    Raises:
        TranscriptParseError: Missing header, bad or out-of-order timing, a cue without speaker.
    """
    blocks = split_blocks(split_lines(text, path))
    if not blocks or not blocks[0][0][1].startswith("WEBVTT"):
        line = blocks[0][0][0] if blocks else 1
        raise TranscriptParseError(
            path, "missing WEBVTT header (a .vtt file starts with the line 'WEBVTT')", line=line
        )
    header, cue_blocks = blocks[0], blocks[1:]
    # A first cue glued to the header without a blank line is a common hand-editing slip.
    glued = next((i for i, (_, line) in enumerate(header) if "-->" in line), None)
    if glued is not None:
        cue_blocks.insert(0, header[glued:])

    cues: list[Cue] = []
    previous_start: float | None = None
    for block in cue_blocks:
        if _is_skipped(block[0][1]):
            continue
        timing_number, start, end, text_lines = _read_cue_block(block, path)
        check_cue_order(previous_start, start, timing_number, path)
        previous_start = start
        speaker, body = _speaker_and_text(" ".join(text_lines))
        if not body:
            continue
        if speaker is None:
            raise TranscriptParseError(
                path,
                "cue has no speaker (expected <v Name> or 'Name: ' at the start)",
                line=timing_number,
            )
        cues.append(Cue(timing_number, start, end, speaker, body))
    if not cues:
        raise TranscriptParseError(path, "no cues with text found")
    return ParsedFile(turns=merge_cues(cues))


def _is_skipped(first_line: str) -> bool:
    word = first_line.split(maxsplit=1)[0]
    return word in _SKIPPED_BLOCKS


def _read_cue_block(block: Block, path: str) -> tuple[int, float, float, list[str]]:
    timing_at = 0 if "-->" in block[0][1] else 1  # otherwise line 0 is a cue identifier
    if timing_at >= len(block) or "-->" not in block[timing_at][1]:
        raise TranscriptParseError(
            path,
            "cue has no timing line (expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm')",
            line=block[0][0],
        )
    number, timing = block[timing_at]
    start, end = parse_timing_line(timing, number, path)
    return number, start, end, [line for _, line in block[timing_at + 1 :]]


def _speaker_and_text(raw: str) -> tuple[str | None, str]:
    voice = _VOICE.search(raw)
    speaker = (clean_text(html.unescape(voice.group(1) or "")) or None) if voice else None
    body = clean_text(html.unescape(_TAG.sub("", raw)))
    if speaker is None:
        speaker, body = split_speaker_prefix(body)
    return speaker, body
