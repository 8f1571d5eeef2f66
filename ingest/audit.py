"""The audit log: an append-only table of who did what to what, and when.

Rows cannot be changed or deleted (triggers refuse it); only replacing the whole catalog on
`companion import --replace` starts from another log, and that import carries this machine's
entries over.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from companion.storage.catalog import Catalog

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""

class AuditEntry(BaseModel):
    """One audited action."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any] | None = None


def cli_actor() -> str:
    """Who runs a command from the shell: the operating-system user."""
    try:
        return f"user:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "user:unknown"


def key_actor(key_id: str, name: str | None) -> str:
    """Who calls the API: the key's name and id."""
    return f"key:{name}({key_id})" if name else f"key:{key_id}"


class AuditLog:
    """Appends to and reads the audit log in the catalog.

    Args:
        catalog: the catalog holding the table (created on first use).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(SCHEMA)

    def record(
        self, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Append one entry (its own transaction)."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        body = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                (at, actor, action, target, body),
            )

    def entries(self, limit: int | None = 50) -> list[AuditEntry]:
        """The newest entries first (all of them when `limit` is None)."""
        sql = "SELECT * FROM audit_log ORDER BY id DESC"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (max(0, limit),)
        rows = self.catalog.conn.execute(sql, params).fetchall()
        return [
            AuditEntry(
                id=r["id"], at=r["at"], actor=r["actor"], action=r["action"],
                target=r["target"], detail=json.loads(r["detail"]) if r["detail"] else None,
            )
            for r in rows
        ]
