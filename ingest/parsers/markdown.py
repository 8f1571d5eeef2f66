"""Markdown notes (`.md`, `.markdown`): each paragraph or list item is a turn under its heading."""

from __future__ import annotations

import re

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Turn
from ingest.parsers.metadata import Metadata, load_yaml_mapping, metadata_from_mapping
from ingest.parsers.result import ParsedFile
from ingest.parsers.text import clean_text, split_lines

_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_INLINE_MARKERS = ("**", "__", "~~", "`")
_TASK_BOXES = ("[ ] ", "[x] ", "[X] ")
# One match for all of "> > >" at once: peeling one ">" per slice was quadratic in the line.
_QUOTE_MARKERS = re.compile(r"(?:>\s*)+")


def parse_markdown(text: str, path: str) -> ParsedFile:
    """Parse notes with optional YAML front matter into one turn per paragraph or list item.

    Turns get no speaker here: `load_session` attributes them to the author or facilitator
    once sidecar metadata is known.

    Raises:
        TranscriptParseError: Bad front matter, or no paragraphs at all.
    """
    lines = split_lines(text, path)
    metadata, body_start = _read_front_matter(lines, path)
    reader = _NotesReader()
    for raw in lines[body_start:]:
        reader.feed(raw)
    reader.flush()
    if not reader.turns:
        raise TranscriptParseError(path, "no notes text found")
    return ParsedFile(
        turns=reader.turns,
        metadata=metadata,
        title_hint=reader.title,
        default_kind="notes",
        speaker_from_author=True,
    )


def clean_inline(text: str) -> str:
    """Drop emphasis and code markers, keep the text of links and images, collapse spaces."""
    text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    for marker in _INLINE_MARKERS:
        text = text.replace(marker, "")
    return clean_text(text)


def _read_front_matter(lines: list[str], path: str) -> tuple[Metadata, int]:
    """Metadata from a leading `---` ... `---` block, and the index of the first body line."""
    if not lines or lines[0].rstrip() != "---":
        return Metadata(), 0
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise TranscriptParseError(
            path, "front matter opened with '---' is never closed by another '---'", line=1
        )
    mapping, key_lines = load_yaml_mapping("\n".join(lines[1:close]), path, first_line=2)
    return metadata_from_mapping(mapping, path, key_lines), close + 1


class _NotesReader:
    """A line-at-a-time reader for the small part of Markdown that notes use."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.title: str | None = None
        self.section: str | None = None
        self.paragraph: list[str] = []
        self.item: list[str] | None = None
        self.after_blank = False
        self.fence: str | None = None
        self.code: list[str] = []

    def feed(self, raw: str) -> None:
        stripped = raw.strip()
        if self.fence is not None:
            self._feed_code(stripped)
            return
        if (quote := _QUOTE_MARKERS.match(stripped)) is not None:
            raw = stripped = stripped[quote.end() :]  # a blockquote reads as the text it quotes
        if not stripped:
            self._end_paragraph()
            self.after_blank = True
            return
        blank_before, self.after_blank = self.after_blank, False
        indent = len(raw) - len(raw.lstrip())
        fence = _fence_marker(stripped)
        if fence is not None:
            self.flush()
            self.fence = fence
        elif indent < 4 and (heading := _atx_heading(stripped)) is not None:
            self._start_section(*heading)
        elif self.paragraph and not blank_before and (level := _setext_level(stripped)):
            text = " ".join(self.paragraph)
            self.paragraph = []
            self._start_section(level, clean_inline(text))
        elif _is_table_rule(stripped):
            pass  # "|---|:--:|" only shapes the table; the rows are kept as text
        elif _is_thematic_break(stripped):
            self.flush()
        elif (item := _list_item(raw)) is not None:
            self.flush()
            self.item = [item]
        elif self.item is not None and (indent > 0 or not blank_before):
            self.item.append(stripped)  # an indented or lazy continuation of the list item
        else:
            self._end_item()
            self.paragraph.append(stripped)

    def flush(self) -> None:
        """Emit whatever paragraph, list item or code block is still open."""
        self._end_paragraph()
        self._end_item()
        if self.fence is not None:
            self._emit(clean_text(" ".join(self.code)))
            self.fence, self.code = None, []

    def _feed_code(self, stripped: str) -> None:
        fence = self.fence or ""
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            self._emit(clean_text(" ".join(self.code)))
            self.fence, self.code = None, []
        else:
            self.code.append(stripped)

    def _start_section(self, level: int, text: str) -> None:
        self.flush()
        self.section = text or None
        if level == 1 and self.title is None and text:
            self.title = text

    def _end_paragraph(self) -> None:
        if self.paragraph:
            self._emit(clean_inline(" ".join(self.paragraph)))
            self.paragraph = []

    def _end_item(self) -> None:
        if self.item is not None:
            self._emit(clean_inline(" ".join(self.item)))
            self.item = None

    def _emit(self, text: str) -> None:
        if text:
            self.turns.append(Turn(index=len(self.turns), text=text, section=self.section))


def _fence_marker(stripped: str) -> str | None:
    for char in "`~":
        if stripped.startswith(char * 3):
            return char * (len(stripped) - len(stripped.lstrip(char)))
    return None


def _atx_heading(stripped: str) -> tuple[int, str] | None:
    level = len(stripped) - len(stripped.lstrip("#"))
    rest = stripped[level:]
    if not 1 <= level <= 6 or (rest and rest[0] not in " \t"):
        return None  # "#hashtag" and "####### x" are text
    text = rest.strip()
    closed = text.rstrip("#")
    if not closed or closed.endswith((" ", "\t")):  # "## Title ##" has a closing sequence
        text = closed.strip()
    return level, clean_inline(text)


def _setext_level(stripped: str) -> int | None:
    if not stripped.strip("="):
        return 1
    if len(stripped) >= 2 and not stripped.strip("-"):
        return 2
    return None


def _is_thematic_break(stripped: str) -> bool:
    marks = stripped.replace(" ", "").replace("\t", "")
    return len(marks) >= 3 and marks[0] in "-*_" and not marks.strip(marks[0])


def _is_table_rule(stripped: str) -> bool:
    return "|" in stripped and "-" in stripped and not stripped.strip("|-: \t")


def _list_item(raw: str) -> str | None:
    line = raw.lstrip()
    if line[:1] in ("-", "*", "+") and (len(line) == 1 or line[1] in " \t"):
        body = line[1:]
    else:
        digits = len(line) - len(line.lstrip("0123456789"))
        marker_end = digits + 1
        if not (1 <= digits <= 9 and line[digits:marker_end] in (".", ")")):
            return None
        if len(line) > marker_end and line[marker_end] not in " \t":
            return None  # "3.5 hours" is text
        body = line[marker_end:]
    body = body.strip()
    for box in _TASK_BOXES:
        body = body.removeprefix(box)
    return body
