"""`load_session`: read one file, pick its parser, layer metadata, and fingerprint the content."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Session
from ingest.parsers.json_transcript import load_json, parse_json_transcript
from ingest.parsers.markdown import parse_markdown
from ingest.parsers.metadata import Metadata, find_sidecar, read_sidecar
from ingest.parsers.plaintext import parse_plaintext
from ingest.parsers.qmsum import is_qmsum, parse_qmsum
from ingest.parsers.result import ParsedFile
from ingest.parsers.srt import parse_srt
from ingest.parsers.text import decode_text, slugify
from ingest.parsers.vtt import parse_vtt

PARSER_VERSION = "1"
"""Bump whenever parsing output changes: it is part of `content_hash`, so files re-ingest."""

_LINE_PARSERS: dict[str, Callable[[str, str], ParsedFile]] = {
    ".vtt": parse_vtt,
    ".srt": parse_srt,
    ".txt": parse_plaintext,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset({*_LINE_PARSERS, ".json"})


def unsupported_file_type(path: str, suffix: str) -> TranscriptParseError:
    """The error for a file whose extension no parser reads."""
    shown = f"'{suffix}'" if suffix else "(no extension)"
    expected = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    return TranscriptParseError(path, f"unsupported file type {shown}; expected one of {expected}")


def load_session(path: Path, default_consent: bool = True) -> Session:
    """Read a transcript or notes file into a `Session`.

    Metadata comes from the sidecar NAME.yaml / NAME.yml first, then from the file itself
    (front matter, JSON keys), then from defaults (id and title from the file name;
    `default_consent` when neither says whether it may be shared).

    Raises:
        TranscriptParseError: Naming the file (or its sidecar), the line where known, and why.
    """
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise unsupported_file_type(where, suffix)
    data = _read_bytes(path)
    sidecar = find_sidecar(path)
    sidecar_bytes, sidecar_metadata = read_sidecar(sidecar) if sidecar else (b"", Metadata())
    try:
        parsed = _parse(data, where, suffix, path.stem)
    except (RecursionError, OverflowError) as exc:
        # Parsers guard the known cases; this keeps any other hostile input from crashing a run.
        raise TranscriptParseError(
            where, "file is too deeply nested or has numbers too large"
        ) from exc
    metadata = sidecar_metadata.over(parsed.metadata)
    _refuse_nul(where, metadata, parsed)
    turns = parsed.turns
    if parsed.speaker_from_author:
        speaker = metadata.author or metadata.facilitator
        turns = [turn.model_copy(update={"speaker": speaker}) for turn in turns]
    return Session(
        id=slugify(metadata.id) if metadata.id else slugify(path.stem),
        title=metadata.title or parsed.title_hint or path.stem,
        date=metadata.date,
        kind=metadata.kind or parsed.default_kind,
        facilitator=metadata.facilitator,
        series=metadata.series,
        consent=default_consent if metadata.consent is None else metadata.consent,
        source=str(path.resolve()),
        content_hash=hashlib.sha256(PARSER_VERSION.encode() + data + sidecar_bytes).hexdigest(),
        turns=turns,
    )


def _refuse_nul(where: str, metadata: Metadata, parsed: ParsedFile) -> None:
    """Refuse text holding NUL (a JSON escape of U+0000 decodes to one): it would be stored."""
    for turn in parsed.turns:
        if "\x00" in turn.text or "\x00" in (turn.speaker or ""):
            raise TranscriptParseError(
                where, f"turn {turn.index + 1} holds a NUL character (U+0000); remove it"
            )
    for name, value in dataclasses.asdict(metadata).items():
        if isinstance(value, str) and "\x00" in value:
            raise TranscriptParseError(where, f"{name}: holds a NUL character (U+0000); remove it")


def _read_bytes(path: Path) -> bytes:
    where = str(path)
    try:
        exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
    except (OSError, ValueError) as exc:  # permissions, a name too long
        reason = getattr(exc, "strerror", None) or str(exc)
        raise TranscriptParseError(where, f"cannot read: {reason}") from exc
    if not exists:
        raise TranscriptParseError(where, "no such file or folder")
    if is_dir:
        raise TranscriptParseError(where, "is a folder; name a file (or use discover)")
    if not is_file:
        # Reading a FIFO or device would block forever.
        raise TranscriptParseError(where, "not a regular file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TranscriptParseError(where, f"cannot read file: {exc.strerror or exc}") from exc


def _parse(data: bytes, where: str, suffix: str, stem: str) -> ParsedFile:
    text = decode_text(data, where)
    if suffix != ".json":
        return _LINE_PARSERS[suffix](text, where)
    document = load_json(text, where)
    if is_qmsum(document):
        return parse_qmsum(document, where, stem)
    return parse_json_transcript(document, where)
