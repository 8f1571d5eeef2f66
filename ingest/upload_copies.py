"""Where uploaded files are kept, and removing a session's stored upload with its sidecar."""

from __future__ import annotations

from pathlib import Path

SIDECAR_SUFFIXES = (".yaml", ".yml")


def uploads_folder(data_dir: Path) -> Path:
    """The folder holding the server's copies of uploaded files."""
    return data_dir / "uploads"


def remove_uploaded_copy(data_dir: Path, source: str) -> bool:
    """Delete the stored upload a session was read from (and its sidecar); True if one went.

    A session ingested from anywhere else (a folder named on the command line) is left alone:
    those files are the operator's, not copies the server made.
    """
    if not source:
        return False
    folder = uploads_folder(data_dir).resolve()
    path = Path(source).resolve()
    if path.parent != folder or not path.is_file():
        return False
    path.unlink(missing_ok=True)
    for suffix in SIDECAR_SUFFIXES:
        path.with_suffix(suffix).unlink(missing_ok=True)
    return True
