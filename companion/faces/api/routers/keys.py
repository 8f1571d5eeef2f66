"""API keys over HTTP (admin); `companion keys` does the same from the shell."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from companion.auth.keys import ApiKey, CreatedKey, Scope
from companion.faces.api.deps import AdminKey, ServicesDep
from ingest.audit import AuditLog, key_actor

router = APIRouter(prefix="/v1/keys", tags=["keys"])


class KeyRequest(BaseModel):
    """A key to create."""

    model_config = ConfigDict(extra="forbid")

    scope: Scope
    origins: list[str] = Field(default_factory=list, max_length=50)
    name: str | None = Field(default=None, max_length=200)


@router.get("", response_model=list[ApiKey])
def list_keys(services: ServicesDep, key: AdminKey) -> list[ApiKey]:
    """Every key (never the secrets)."""
    return services.keys.list()


@router.post("", response_model=CreatedKey, status_code=status.HTTP_201_CREATED)
def create_key(body: KeyRequest, services: ServicesDep, key: AdminKey) -> CreatedKey:
    """A new key; the secret is in this response only."""
    created = services.keys.create(body.scope, body.origins, body.name)
    services.origins.invalidate()
    AuditLog(services.ctx.catalog).record(
        key_actor(key.id, key.name), "key.created", f"key:{created.id}",
        {"scope": created.scope.value, "origins": created.origins, "name": created.name},
    )
    return created


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: str, services: ServicesDep, key: AdminKey) -> Response:
    """Revoke a key; it fails at once."""
    revoked = services.keys.revoke(key_id)
    services.origins.invalidate()
    AuditLog(services.ctx.catalog).record(
        key_actor(key.id, key.name), "key.revoked", f"key:{revoked.id}",
        {"scope": revoked.scope.value},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
