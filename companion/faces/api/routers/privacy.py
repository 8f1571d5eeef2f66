"""Privacy (admin only): forget a person, read the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Query

from companion.faces.api.deps import AdminKey, CtxDep, PrivacyDep
from companion.features.privacy.forget import ForgetReport
from ingest.audit import AuditEntry, AuditLog, key_actor

router = APIRouter(prefix="/v1", tags=["privacy"])


@router.delete("/people/{person_id}", response_model=ForgetReport)
def forget(person_id: str, privacy: PrivacyDep, key: AdminKey) -> ForgetReport:
    """Remove a person from the directory and redact everything they said, everywhere."""
    return privacy.forget(person_id, key_actor(key.id, key.name))


@router.get("/audit", response_model=list[AuditEntry])
def audit(
    ctx: CtxDep, key: AdminKey, limit: int = Query(default=50, ge=1, le=10_000)
) -> list[AuditEntry]:
    """The audit log, newest first."""
    return AuditLog(ctx.catalog).entries(limit)
