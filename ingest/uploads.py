"""Uploaded transcripts and notes: checked, saved under DATA_DIR/uploads/, then ingested.

A file is parsed in a staging folder first; only a file that parses replaces the stored upload
of the same name, and if ingest still fails the previous file is put back. The catalog keeps the
previous version of the session throughout (the pipeline replaces it only after writing).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
import unicodedata
from pathlib import Path, PureWindowsPath
from typing import BinaryIO

from companion.core.errors import CompanionError, InputError, TranscriptParseError
from companion.core.schemas import IngestReport
from companion.retrieval.context import Context
from ingest.service import PipelineFactory
from ingest.upload_copies import remove_uploaded_copy, uploads_folder

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_CHUNK = 1 << 16


class UploadTooLargeError(CompanionError):
    """An uploaded file over the size limit."""

    status = 413
    title = "Upload too large"


class UploadConflictError(CompanionError):
    """An upload whose file name already backs another session."""

    status = 409
    title = "Upload conflicts with a stored session"


class UnsupportedFileTypeError(CompanionError):
    """An uploaded file no parser reads."""

    status = 415
    title = "Unsupported file type"


def safe_filename(name: str) -> str:
    """The last component of a client-given name, reduced to `[A-Za-z0-9._-]`, never hidden.

    Raises:
        UnsupportedFileTypeError: When the extension is not one the parsers read.
    """
    from ingest.parsers import SUPPORTED_EXTENSIONS

    base = PureWindowsPath(unicodedata.normalize("NFKC", name or "")).name  # splits / and \
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise UnsupportedFileTypeError(
            f"{base or 'the upload'}: unsupported file type ({shown}); "
            f"expected one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
        )
    stem = _UNSAFE.sub("-", stem).strip(".-_")[:100] or "upload"
    return stem + suffix


class UploadService:
    """Saves and ingests uploaded files for one context.

    Args:
        ctx: stores and models; files go to `ctx.settings.data_dir / "uploads"`.
        pipeline: builds the ingest pipeline (with the features' listeners) for an actor.
    """

    def __init__(self, ctx: Context, pipeline: PipelineFactory) -> None:
        self.ctx = ctx
        self.pipeline = pipeline
        self.folder = uploads_folder(ctx.settings.data_dir)
        self.max_bytes = ctx.settings.api.max_upload_bytes
        self._lock = threading.Lock()  # one upload of a given name at a time, in order

    def ingest_upload(
        self,
        filename: str,
        content: BinaryIO,
        sidecar: BinaryIO | None = None,
        actor: str | None = None,
    ) -> IngestReport:
        """Check, save and ingest one uploaded file (with an optional YAML metadata sidecar).

        `actor` is who the audit log names (the API key); default the OS user.

        Raises:
            UnsupportedFileTypeError: Not a transcript or notes format.
            UploadTooLargeError: Over `max_upload_bytes`.
            TranscriptParseError: The file (or sidecar) does not parse; names file, line, reason.
            InputError: The file parsed but could not be ingested.
        """
        name = safe_filename(filename)
        staging = self.folder / ".staging" / secrets.token_hex(8)
        staging.mkdir(parents=True)
        try:
            files = {name: content}
            if sidecar is not None:
                files[Path(name).stem + ".yaml"] = sidecar
            for target, stream in files.items():
                self._copy_limited(stream, staging / target, target)
            session_id = self._check_parses(staging / name)
            with self._lock:
                self._refuse_conflict(name, session_id)
                return self._install_and_ingest(staging, list(files), actor)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _copy_limited(self, stream: BinaryIO, target: Path, shown: str) -> None:
        written = 0
        with target.open("wb") as out:
            while chunk := stream.read(_COPY_CHUNK):
                written += len(chunk)
                if written > self.max_bytes:
                    raise UploadTooLargeError(
                        f"{shown}: larger than the upload limit of {self.max_bytes} bytes"
                    )
                out.write(chunk)

    @staticmethod
    def _check_parses(path: Path) -> str:
        """The id of the session the file holds.

        Raises:
            TranscriptParseError: The file does not parse.
        """
        from ingest.parsers import load_session

        try:
            return load_session(path).id
        except TranscriptParseError as exc:
            # Name the file as the client knows it, not the server's staging path.
            raise TranscriptParseError(Path(exc.path).name, exc.reason, exc.line) from None

    def _refuse_conflict(self, name: str, session_id: str) -> None:
        """Refuse to replace the stored upload of another session (a JSON `id` differs).

        One stored file backs one session: overwriting it would leave the first session's
        source holding someone else's words.
        """
        target = self.folder / name
        rows = self.ctx.catalog.conn.execute(
            "SELECT id FROM sessions WHERE source IN (?, ?)", (str(target), str(target.resolve()))
        ).fetchall()
        others = sorted({r[0] for r in rows} - {session_id})
        if others:
            raise UploadConflictError(
                f"{name}: this file name already holds session '{others[0]}', but the upload is "
                f"session '{session_id}'; rename the file, or delete session '{others[0]}' first"
            )

    def _install_and_ingest(
        self, staging: Path, names: list[str], actor: str | None = None
    ) -> IngestReport:
        backups: dict[str, Path] = {}
        self.folder.mkdir(parents=True, exist_ok=True)
        for n in names:
            if (self.folder / n).exists():
                backups[n] = staging / f"{n}.previous"
                os.replace(self.folder / n, backups[n])
            os.replace(staging / n, self.folder / n)
        try:
            pipeline = self.pipeline(actor)
            pipeline.default_consent = self.ctx.settings.consent_default(uploaded=True)
            report = pipeline.ingest([self.folder / names[0]])
            if pipeline.redacted:
                # The catalog holds the redacted session; the raw copy holds a forgotten
                # person's words, so it is not kept.
                remove_uploaded_copy(self.ctx.settings.data_dir, str(self.folder / names[0]))
            if report.failed:
                where = str(self.folder.resolve()) + os.sep
                reasons = "; ".join(
                    f.replace(where, "").replace(str(self.folder) + os.sep, "")
                    for f in report.failed
                )
                raise InputError(reasons)
        except BaseException:
            for n in names:
                if n in backups:
                    os.replace(backups[n], self.folder / n)
                else:
                    (self.folder / n).unlink(missing_ok=True)
            raise
        return report
