"""Input rules every format shares: decoding, binary and size guards, whitespace, slugs."""

from __future__ import annotations

import codecs
import re

from companion.core.errors import TranscriptParseError
from companion.core.schemas import has_lone_surrogate

MAX_LINE_CHARS = 100_000
"""Longest line accepted; longer lines are a pasted blob or a binary file, never a transcript."""

_CONTROL_RATIO_LIMIT = 0.30
# Unicode category Cc except tab, newline, form feed and carriage return.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def decode_text(data: bytes, path: str, *, allow_empty: bool = False) -> str:
    """Decode an uploaded file to text with Unix newlines, or say exactly why it cannot be.

    Args:
        data: The raw file bytes.
        path: Shown in errors.
        allow_empty: Return "" for an empty file instead of raising (sidecars may be empty).

    Raises:
        TranscriptParseError: The file is empty, binary, or not UTF-8 / BOM-marked UTF-16.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 is full of NUL bytes, so it must be recognised before the binary check.
        text = _decode_utf16(data, path)
    elif b"\x00" in data:
        raise TranscriptParseError(path, "binary file, not a transcript or notes")
    else:
        text = _decode_utf8(data.removeprefix(codecs.BOM_UTF8), path)
    if _looks_binary(text):
        raise TranscriptParseError(path, "binary file, not a transcript or notes")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip() and not allow_empty:
        raise TranscriptParseError(path, "file is empty")
    return text


def split_lines(text: str, path: str) -> list[str]:
    """Split decoded text into lines (line N is item N-1), refusing absurdly long lines.

    Raises:
        TranscriptParseError: A line is longer than `MAX_LINE_CHARS`.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise TranscriptParseError(
                path,
                f"line too long ({len(line)} characters; the limit is {MAX_LINE_CHARS})",
                line=number,
            )
    return lines


def clean_text(text: str) -> str:
    """Strip and collapse every run of whitespace to one space."""
    return " ".join(text.split())


def slugify(text: str) -> str:
    """Lowercase `text` and turn each run of characters outside [a-z0-9] into one "-".

    Returns:
        The slug, or "session" when nothing usable is left.
    """
    return _SLUG_JUNK.sub("-", text.lower()).strip("-") or "session"


def check_encodable(text: str, where: str, path: str, line: int | None = None) -> str:
    r"""Return `text` when it can be stored as UTF-8.

    Raises:
        TranscriptParseError: `text` holds a lone surrogate (from a JSON or YAML "\ud800"
            escape; a decoded file never holds one).
    """
    if has_lone_surrogate(text):
        raise TranscriptParseError(
            path, f"{where}: holds an unpaired surrogate escape (\\ud800-\\udfff)", line=line
        )
    return text


def shown_text(text: str, limit: int = 80) -> str:
    """Cut `text` to `limit` characters and escape what a terminal would not print as-is.

    Error messages quote the user's input; a newline, escape sequence or lone surrogate in
    it would break the one-line message (or its UTF-8 encoding).
    """
    cut = text[:limit]
    if cut.isprintable():
        return cut
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode()
        for char in cut
    )


def describe_value(value: object) -> str:
    """Show a user's value in an error message, quoted and cut short."""
    if isinstance(value, str):
        shown = f"'{shown_text(value, 60)}'"
    elif isinstance(value, list | tuple):
        # Never repr a container: YAML aliases can make a tiny file expand exponentially.
        return "a list"
    elif isinstance(value, dict):
        return "an object"
    elif isinstance(value, bool | int | float) or value is None:
        try:
            shown = repr(value)
        except ValueError:  # repr of an int with more than 4300 digits refuses
            return "a number too large to show"
    else:
        return f"a {type(value).__name__}"
    return shown if len(shown) <= 60 else shown[:56] + "...'"


def _decode_utf16(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise TranscriptParseError(
            path, f"not UTF-16 text despite its byte-order mark ({exc.reason})"
        ) from exc


def _decode_utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        # Guessing cp1252 would silently garble names and quotes; the user can re-save the file.
        raise TranscriptParseError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {column}); "
            "save the file as UTF-8",
            line=line,
        ) from exc


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    if not text:
        return False
    controls = _CONTROL_CHARS.subn("", text)[1]
    return controls / len(text) > _CONTROL_RATIO_LIMIT
