"""JSON transcripts (`.json`): metadata keys plus a `turns` list of speaker/text/start/end."""

from __future__ import annotations

import json
import math
from typing import Any

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Turn
from ingest.parsers.metadata import metadata_from_mapping
from ingest.parsers.result import ParsedFile
from ingest.parsers.text import check_encodable, clean_text, describe_value


def load_json(text: str, path: str) -> Any:
    """Parse JSON text, turning every failure into an error that names the line.

    Raises:
        TranscriptParseError: Invalid JSON, nesting too deep, or an integer too long to read.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptParseError(
            path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise TranscriptParseError(path, "invalid JSON: nested too deeply") from exc
    except ValueError as exc:  # an integer longer than Python's 4300-digit limit
        raise TranscriptParseError(path, "invalid JSON: a number has too many digits") from exc


def parse_json_transcript(data: object, path: str) -> ParsedFile:
    """Build turns from `{"turns": [{"speaker", "text", "start", "end"}], ...metadata}`.

    Every entry becomes a turn at its own position (even with empty text), so `Turn.index`
    is the entry's index in the file.

    Raises:
        TranscriptParseError: Naming the JSON path of the first wrong value.
    """
    if not isinstance(data, dict) or "turns" not in data:
        raise TranscriptParseError(path, "expected an object with a 'turns' list")
    entries = data["turns"]
    if not isinstance(entries, list):
        raise TranscriptParseError(path, f"turns: expected a list, got {describe_value(entries)}")
    if not entries:
        raise TranscriptParseError(path, "no turns")
    turns: list[Turn] = []
    previous_start: float | None = None
    for index, entry in enumerate(entries):
        turn = _read_turn(entry, index, path)
        if turn.start is not None:
            if previous_start is not None and turn.start < previous_start:
                raise TranscriptParseError(
                    path,
                    f"turns[{index}].start: timestamp out of order: {turn.start:g} starts "
                    f"before the previous turn ({previous_start:g})",
                )
            previous_start = turn.start
        turns.append(turn)
    return ParsedFile(turns=turns, metadata=metadata_from_mapping(data, path))


def _read_turn(entry: object, index: int, path: str) -> Turn:
    where = f"turns[{index}]"
    if not isinstance(entry, dict):
        raise TranscriptParseError(
            path,
            f"{where}: expected an object with 'speaker' and 'text', got {describe_value(entry)}",
        )
    speaker = entry.get("speaker")
    if speaker is not None and not isinstance(speaker, str):
        raise TranscriptParseError(
            path, f"{where}.speaker: expected text or null, got {describe_value(speaker)}"
        )
    if "text" not in entry:
        raise TranscriptParseError(path, f"{where}.text: missing")
    text = entry["text"]
    if not isinstance(text, str):
        raise TranscriptParseError(path, f"{where}.text: expected text, got {describe_value(text)}")
    check_encodable(speaker or "", f"{where}.speaker", path)
    check_encodable(text, f"{where}.text", path)
    start = _seconds(entry.get("start"), f"{where}.start", path)
    end = _seconds(entry.get("end"), f"{where}.end", path)
    if start is not None and end is not None and end < start:
        raise TranscriptParseError(
            path, f"{where}: ends before it starts (start {start:g}, end {end:g})"
        )
    return Turn(
        index=index,
        speaker=clean_text(speaker or "") or None,
        text=clean_text(text),
        start=start,
        end=end,
    )


def _seconds(value: object, where: str, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptParseError(
            path, f"{where}: expected a number of seconds, got {describe_value(value)}"
        )
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds):
        raise TranscriptParseError(
            path, f"{where}: expected a finite number of seconds, got {describe_value(value)}"
        )
    if seconds < 0:
        raise TranscriptParseError(path, f"{where}: negative time {seconds:g}")
    return seconds
