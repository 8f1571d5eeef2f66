"""Session metadata: validating it, reading YAML (front matter, sidecars) and layering sources."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from companion.core.errors import TranscriptParseError
from ingest.parsers.text import (
    check_encodable,
    clean_text,
    decode_text,
    describe_value,
    shown_text,
)

SIDECAR_SUFFIXES = (".yaml", ".yml")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # not \d: other scripts' digits
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")
# Metadata is a handful of keys. PyYAML is pure Python and slows down quadratically on deep
# one-line nesting, so anything far beyond real metadata is refused before it is parsed.
MAX_METADATA_CHARS = 64_000
MAX_FLOW_DEPTH = 50


@dataclass(frozen=True)
class Metadata:
    """Metadata from one source; None means "not given here", so another source may fill it."""

    id: str | None = None
    title: str | None = None
    date: str | None = None
    kind: str | None = None
    facilitator: str | None = None
    series: str | None = None
    consent: bool | None = None
    author: str | None = None

    def over(self, fallback: Metadata) -> Metadata:
        """Layer self over `fallback`: each field given here wins, the rest come from below."""
        merged = {
            field.name: getattr(fallback, field.name)
            if getattr(self, field.name) is None
            else getattr(self, field.name)
            for field in fields(self)
        }
        return Metadata(**merged)


def metadata_from_mapping(
    data: Mapping[object, object], path: str, lines: Mapping[str, int] | None = None
) -> Metadata:
    """Validate the known metadata keys of `data`; unknown keys are ignored.

    Args:
        data: Parsed YAML or JSON object.
        path: The file the values came from, shown in errors.
        lines: Line of each key's value, where known (YAML), shown in errors.

    Raises:
        TranscriptParseError: A value has the wrong type or the date is not YYYY-MM-DD.
    """
    lines = lines or {}

    def text(key: str) -> str | None:
        return _text_value(data.get(key), key, path, lines.get(key))

    consent = data.get("consent")
    if consent is not None and not isinstance(consent, bool):
        raise TranscriptParseError(
            path,
            f"consent: expected true or false, got {describe_value(consent)}",
            line=lines.get("consent"),
        )
    return Metadata(
        id=text("id"),
        title=text("title"),
        date=_date_value(data.get("date"), path, lines.get("date")),
        kind=text("kind"),
        facilitator=text("facilitator"),
        series=text("series"),
        consent=consent,
        author=text("author"),
    )


def load_yaml_mapping(
    text: str, path: str, *, first_line: int = 1
) -> tuple[dict[object, object], dict[str, int]]:
    """Parse YAML that must be a mapping; return it with the line of each top-level key's value.

    Args:
        text: The YAML document.
        path: Shown in errors.
        first_line: File line number of the document's first line (front matter starts on 2).

    Raises:
        TranscriptParseError: Invalid YAML (with its line) or a document that is not a mapping.
    """
    if len(text) > MAX_METADATA_CHARS:
        raise TranscriptParseError(
            path,
            f"metadata is too long ({len(text)} characters; the limit is {MAX_METADATA_CHARS})",
        )
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise TranscriptParseError(path, "invalid YAML: nested too deeply")
    try:
        # The reader refuses control characters as soon as it is built, so this is in the try.
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise TranscriptParseError(
            path,
            f"invalid YAML: character U+{exc.character:04X} is not allowed",
            line=_line_of(text, exc.position, first_line),
        ) from exc
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _line_of(text, mark.index, first_line) if mark is not None else None
        problem = exc.problem or exc.context or "cannot be read"
        raise TranscriptParseError(
            path, f"invalid YAML: {shown_text(problem, 120)}", line=line
        ) from exc
    except RecursionError as exc:
        raise TranscriptParseError(path, "invalid YAML: nested too deeply") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. `date: 2024-13-45`
        raise TranscriptParseError(path, f"invalid YAML: {shown_text(str(exc), 120)}") from exc
    finally:
        loader.dispose()
    if node is None or data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise TranscriptParseError(
            path,
            f"metadata must be a mapping of keys to values, got a {type(data).__name__}",
            line=first_line,
        )
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
    key_lines = {
        key_node.value: bisect.bisect_right(line_starts, value_node.start_mark.index)
        + first_line
        - 1
        for key_node, value_node in node.value
        if isinstance(key_node, yaml.ScalarNode)
    }
    return data, key_lines


def _line_of(text: str, index: int, first_line: int) -> int:
    r"""File line of character `index`.

    Not PyYAML's `mark.line`: it also counts \x85, \u2028 and \u2029 as line breaks,
    which the file's line numbering (and the user's editor) does not.
    """
    return text.count("\n", 0, index) + first_line


def _flow_depth(text: str) -> int:
    """Deepest [ / { nesting, counting brackets inside quotes too (harmless overcounting)."""
    depth = deepest = 0
    for bracket in _FLOW_BRACKETS.finditer(text):
        depth = depth + 1 if bracket.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def find_sidecar(path: Path) -> Path | None:
    """The NAME.yaml (or NAME.yml) next to NAME.ext, if there is one."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(sidecar: Path) -> tuple[bytes, Metadata]:
    """Read a sidecar's bytes (they are part of the content hash) and its metadata.

    Raises:
        TranscriptParseError: Naming the sidecar, for unreadable, invalid or mistyped YAML.
    """
    where = str(sidecar)
    try:
        data = sidecar.read_bytes()
    except OSError as exc:
        raise TranscriptParseError(where, f"cannot read metadata file: {exc.strerror}") from exc
    mapping, lines = load_yaml_mapping(decode_text(data, where, allow_empty=True), where)
    return data, metadata_from_mapping(mapping, where, lines)


def _text_value(value: object, key: str, path: str, line: int | None) -> str | None:
    if value is None:
        return None
    # YAML reads `series: 2024` as an int; that is still a sensible label.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TranscriptParseError(
            path, f"{key}: expected text, got {describe_value(value)}", line=line
        )
    return clean_text(check_encodable(str(value), key, path, line)) or None


def _date_value(value: object, path: str, line: int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise TranscriptParseError(
                path, f"date {describe_value(value)} is not a real calendar date", line=line
            ) from None
    raise TranscriptParseError(path, f"date {describe_value(value)} is not YYYY-MM-DD", line=line)
