"""`discover`: expand the files and folders a user names into transcript files to load."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from companion.core.errors import TranscriptParseError
from ingest.parsers.loader import SUPPORTED_EXTENSIONS, unsupported_file_type
from ingest.parsers.metadata import SIDECAR_SUFFIXES


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[TranscriptParseError]]:
    """Expand files and folders into the supported files they hold, in a stable order.

    Folders are searched recursively in sorted order, skipping hidden files and folders and
    YAML files (sidecars). Each file is listed once even when named twice.

    Returns:
        The files to load, and one error per path that cannot be used (missing, or a file
        type no parser reads), so a run can report them and carry on with the rest.
    """
    found: list[Path] = []
    errors: list[TranscriptParseError] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        try:
            candidates = _expand(path, errors)
        except (OSError, ValueError) as exc:
            # Unreadable (permissions, a name too long, a NUL in it): report it, go on.
            reason = getattr(exc, "strerror", None) or str(exc)
            errors.append(TranscriptParseError(str(path)[:300], f"cannot read: {reason}"))
            continue
        if candidates is None:
            continue
        for file in candidates:
            suffix = file.suffix.lower()
            if suffix not in SUPPORTED_EXTENSIONS:
                errors.append(unsupported_file_type(str(file), suffix))
                continue
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found, errors


def _expand(path: Path, errors: list[TranscriptParseError]) -> list[Path] | None:
    """The files a named path stands for; None (with an error recorded) when it is unusable."""
    if path.is_dir():
        return _walk(path, errors)
    if path.is_file():
        return [path]
    reason = "not a regular file" if path.exists() else "no such file or folder"
    errors.append(TranscriptParseError(str(path), reason))
    return None


def _walk(folder: Path, errors: list[TranscriptParseError]) -> list[Path]:
    def report(exc: OSError) -> None:
        errors.append(
            TranscriptParseError(str(exc.filename), f"cannot read folder: {exc.strerror}")
        )

    files: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=report):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in names:
            file = Path(root, name)
            if name.startswith(".") or file.suffix.lower() in SIDECAR_SUFFIXES:
                continue
            if file.is_file():
                files.append(file)
            else:
                errors.append(TranscriptParseError(str(file), "not a regular file"))
    return sorted(files, key=lambda file: file.relative_to(folder).parts)
