"""`/healthz` (the process answers) and `/readyz` (stores reachable, model loaded)."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from companion.core.errors import CompanionError
from companion.faces.api.deps import PublicLimit, ServicesDep

router = APIRouter(tags=["health"])
log = logging.getLogger("companion.faces.api")


class NotReadyError(CompanionError):
    """A store or the model is not available yet."""

    status = 503
    title = "Not ready"


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no auth)."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[PublicLimit])
def readyz(services: ServicesDep) -> dict[str, object]:
    """200 when the catalog answers, the vector store has a heartbeat and the model is loaded."""
    checks: dict[str, str] = {}
    try:
        services.ctx.catalog.conn.execute("SELECT count(*) FROM sessions").fetchone()
        checks["catalog"] = "ok"
    except Exception as exc:  # any failure means not ready; the probe is public, so no details
        log.warning("readyz: catalog failed: %s", exc)
        checks["catalog"] = f"failed ({type(exc).__name__})"
    try:
        services.ctx.vectors.heartbeat()
        checks["vectors"] = "ok"
    except Exception as exc:
        log.warning("readyz: vector store failed: %s", exc)
        checks["vectors"] = f"failed ({type(exc).__name__})"
    checks["model"] = "ok" if services.model_ready else "not loaded"
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        raise NotReadyError("not ready: " + "; ".join(f"{k} {v}" for k, v in failing.items()))
    return {"status": "ready", "checks": checks}
