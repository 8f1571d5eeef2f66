"""SubRip subtitles (`.srt`): numbered timed blocks, speakers only when a prefix names them."""

from __future__ import annotations

import re

from companion.core.errors import TranscriptParseError
from ingest.parsers.cues import (
    Block,
    Cue,
    check_cue_order,
    ends_sentence,
    merge_cues,
    parse_timing_line,
    split_blocks,
)
from ingest.parsers.result import ParsedFile
from ingest.parsers.speakers import MAX_NAME_CHARS, is_speaker_name, split_speaker_prefix
from ingest.parsers.text import clean_text, split_lines

_HTML_TAG = re.compile(r"<[^<>]*>")
_ASS_TAG = re.compile(r"\{\\[^{}]*\}")  # {\an8} positioning left by Aegisub-style converters
_TIMING_HINT = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"


def parse_srt(text: str, path: str) -> ParsedFile:
    """Parse SubRip text into turns; cues without a named speaker get speaker None.

    Raises:
        TranscriptParseError: A block without timing, bad or out-of-order timestamps.
    """
    cues: list[Cue] = []
    previous_start: float | None = None
    for block in split_blocks(split_lines(text, path)):
        number, start, end, text_lines = _read_block(block, path)
        check_cue_order(previous_start, start, number, path, separator=",")
        previous_start = start
        speaker, body = _speaker_and_text(" ".join(text_lines))
        if not body:
            continue
        if speaker is None and cues and not ends_sentence(cues[-1].text):
            # Captioners name the speaker once, on the cue where the sentence starts.
            speaker = cues[-1].speaker
        cues.append(Cue(number, start, end, speaker, body))
    if not cues:
        raise TranscriptParseError(path, "no subtitles with text found")
    return ParsedFile(turns=merge_cues(cues))


def _read_block(block: Block, path: str) -> tuple[int, float, float, list[str]]:
    first_number, first = block[0]
    if "-->" in first:
        timing_at = 0  # the index line is missing; the timing is what matters
    elif first.strip().isdigit():
        timing_at = 1
    else:
        raise TranscriptParseError(
            path, f"subtitle block has no timing line ({_TIMING_HINT})", line=first_number
        )
    if timing_at >= len(block) or "-->" not in block[timing_at][1]:
        line = block[timing_at][0] if timing_at < len(block) else first_number
        raise TranscriptParseError(
            path, f"subtitle block has no timing line ({_TIMING_HINT})", line=line
        )
    number, timing = block[timing_at]
    start, end = parse_timing_line(timing, number, path)
    return number, start, end, [line for _, line in block[timing_at + 1 :]]


def _speaker_and_text(raw: str) -> tuple[str | None, str]:
    body = clean_text(_ASS_TAG.sub("", _HTML_TAG.sub("", raw)))
    speaker, rest = split_speaker_prefix(body)
    if speaker is None:
        speaker, rest = _bracket_speaker(body)
    return speaker, rest


def _bracket_speaker(text: str) -> tuple[str | None, str]:
    """Split `[Name] words`; a bracket with nothing after it ("[MUSIC]") is text, not a name."""
    if not text.startswith("["):
        return None, text
    close = text.find("]", 1, MAX_NAME_CHARS + 2)
    if close < 0:
        return None, text
    name = text[1:close].strip()
    rest = text[close + 1 :].removeprefix(":").strip()
    if rest and is_speaker_name(name):
        return name, rest
    return None, text
