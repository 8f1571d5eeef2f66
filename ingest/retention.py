"""Retention: delete sessions older than a number of days, through the ingest pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from companion.core.errors import InputError
from companion.retrieval.context import Context
from ingest.audit import AuditLog

if TYPE_CHECKING:
    from ingest.service import AuditedPipeline


class PurgeReport(BaseModel):
    """What a retention run deleted (or would delete, on a dry run)."""

    days: int
    cutoff: str
    deleted: list[str]
    dry_run: bool = False


def expired_sessions(ctx: Context, days: int, today: date | None = None) -> list[str]:
    """Sessions older than `days`: by session date, or by ingest time when they have none."""
    if days < 0:
        raise InputError(f"retention needs 0 or more days, not {days}")
    cutoff = ((today or datetime.now(UTC).date()) - timedelta(days=days)).isoformat()
    rows = ctx.catalog.conn.execute(
        "SELECT id FROM sessions WHERE coalesce(date, substr(ingested_at, 1, 10)) < ? ORDER BY id",
        (cutoff,),
    ).fetchall()
    return [r[0] for r in rows]


def purge_sessions(
    ctx: Context,
    days: int,
    actor: str,
    today: date | None = None,
    dry_run: bool = False,
    pipeline: AuditedPipeline | None = None,
) -> PurgeReport:
    """Delete the expired sessions with their vectors, tips and summaries; audits what went."""
    today = today or datetime.now(UTC).date()
    expired = expired_sessions(ctx, days, today)
    report = PurgeReport(
        days=days, cutoff=(today - timedelta(days=days)).isoformat(), deleted=expired,
        dry_run=dry_run,
    )
    if dry_run:
        return report
    if expired:
        if pipeline is None:
            # Without the features' listeners, tips and summaries of the deleted sessions
            # would outlive them: the composition root always passes its pipeline.
            raise ValueError("purge_sessions needs the pipeline the composition root builds")
        for session_id in expired:
            pipeline.delete(session_id, via="retention")
        AuditLog(ctx.catalog).record(
            actor, "retention.purged", f"sessions older than {report.cutoff}",
            {"days": days, "deleted": len(expired)},
        )
    return report
