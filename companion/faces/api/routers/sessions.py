"""Sessions (admin): list, show, delete, and upload a transcript or notes file to ingest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from companion.core.errors import InputError
from companion.core.schemas import IngestReport, Session, SessionSummary
from companion.faces.api.deps import AdminKey, CompanionDep, CtxDep, ServicesDep
from ingest.audit import key_actor

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

_UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string", "format": "binary",
                        "description": "a transcript or notes file (.vtt .srt .txt .md .json)",
                    },
                    "metadata": {
                        "type": "string", "format": "binary",
                        "description": "optional YAML sidecar: title, date, kind, consent...",
                    },
                },
            }
        }
    },
}


@router.get("", response_model=list[SessionSummary])
def list_sessions(ctx: CtxDep, key: AdminKey) -> list[SessionSummary]:
    """Every ingested session, newest first."""
    return ctx.catalog.list_sessions()


@router.get("/{session_id}", response_model=Session)
def show_session(session_id: str, ctx: CtxDep, key: AdminKey) -> Session:
    """A session's metadata and turns."""
    return ctx.catalog.load_session(session_id)


@router.delete("/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_session(session_id: str, companion: CompanionDep, key: AdminKey) -> Response:
    """Remove a session with its chunks, vectors and derived data."""
    companion.pipeline(key_actor(key.id, key.name)).delete(session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "", response_model=IngestReport, status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def upload_session(
    request: Request, services: ServicesDep, key: AdminKey, response: Response
) -> IngestReport:
    """Upload a transcript or notes file (multipart field `file`) and ingest it.

    The form is read only after the key is checked. A file that does not parse gets a 422
    naming the file, line and reason, and changes nothing stored.
    """
    try:
        form = await request.form(max_files=2, max_fields=0)
    except HTTPException as exc:  # a broken form (e.g. a part without a file name) is bad input
        raise InputError(
            f"send the file as multipart/form-data in the field 'file' ({exc.detail})"
        ) from None
    try:
        upload, metadata = form.get("file"), form.get("metadata")
        if not isinstance(upload, UploadFile):
            raise InputError("send the file as multipart/form-data in the field 'file'")
        sidecar = metadata.file if isinstance(metadata, UploadFile) else None
        report = await run_in_threadpool(
            services.uploads.ingest_upload, upload.filename or "", upload.file, sidecar,
            key_actor(key.id, key.name),
        )
    finally:
        await form.close()
    if not report.added:
        response.status_code = status.HTTP_200_OK
    return report
