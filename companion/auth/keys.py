"""API keys: a random secret shown once, stored only as its SHA-256, with a scope and origins."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from companion.core.errors import InputError, NotFoundError
from companion.storage.catalog import Catalog

KEYS_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT,
    scope TEXT NOT NULL,
    origins TEXT NOT NULL DEFAULT '[]',
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""

KEY_PREFIX = "lc_"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Scope(StrEnum):
    """What a key may do: `admin` everything; `widget` ask, tips, feedback and peers only."""

    admin = "admin"
    widget = "widget"


class ApiKey(BaseModel):
    """A stored key, without its secret."""

    id: str
    name: str | None = None
    scope: Scope
    origins: list[str] = Field(default_factory=list)
    created_at: str
    revoked_at: str | None = None

    @property
    def is_admin(self) -> bool:
        """True for admin keys."""
        return self.scope is Scope.admin

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a request from this `Origin` header value may use the key."""
        if origin is None:
            return False
        try:
            return normalise_origin(origin) in self.origins
        except InputError:
            return False


class CreatedKey(BaseModel):
    """A new key with its secret: the only time the secret is available."""

    id: str
    key: str
    scope: Scope
    origins: list[str]
    name: str | None = None


def hash_key(raw: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def normalise_origin(value: str) -> str:
    """An origin as browsers send it: `scheme://host[:port]`, lower case, default port dropped.

    Raises:
        InputError: When the value is not an http(s) origin.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"not an origin: {value!r} ({exc})") from exc
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InputError(f"not an origin: {value!r}; expected e.g. https://intranet.example")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise InputError(f"an origin has no path, query or user: {value!r}")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class KeyStore:
    """API keys in the catalog's `api_keys` table.

    Args:
        catalog: the catalog the table lives in (created if missing).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        catalog.ensure_schema(KEYS_SCHEMA)

    def create(
        self, scope: Scope | str, origins: list[str] | None = None, name: str | None = None
    ) -> CreatedKey:
        """Make a key; its secret is returned here and never again."""
        try:
            scope = Scope(scope)
        except ValueError as exc:
            raise InputError(f"unknown scope {scope!r}; expected admin or widget") from exc
        allowed = sorted({normalise_origin(o) for o in origins or []})
        if scope is Scope.widget and not allowed:
            raise InputError(
                "a widget key needs at least one --origin (the intranet site that embeds it)"
            )
        key_id = "key_" + secrets.token_hex(6)
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.catalog.transaction() as conn:
            conn.execute(
                "INSERT INTO api_keys (id, name, scope, origins, key_hash, created_at)"
                " VALUES (?,?,?,?,?,?)",
                (key_id, name, scope.value, json.dumps(allowed), hash_key(raw), _now()),
            )
        return CreatedKey(id=key_id, key=raw, scope=scope, origins=allowed, name=name)

    def list(self) -> list[ApiKey]:
        """Every key, oldest first, revoked ones included."""
        rows = self.catalog.conn.execute("SELECT * FROM api_keys ORDER BY created_at, id")
        return [self._key(r) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key at once; revoking twice keeps the first time."""
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                (_now(), key_id),
            )
            row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no API key with id '{key_id}'")
        return self._key(row)

    def authenticate(self, raw: str) -> ApiKey | None:
        """The active key with this secret, or None (unknown or revoked)."""
        row = self.catalog.conn.execute(
            "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (hash_key(raw),)
        ).fetchone()
        return self._key(row) if row is not None else None

    def widget_origins(self) -> frozenset[str]:
        """Origins allowed by at least one active widget key (what CORS may answer)."""
        rows = self.catalog.conn.execute(
            "SELECT origins FROM api_keys WHERE scope = ? AND revoked_at IS NULL",
            (Scope.widget.value,),
        )
        return frozenset(o for r in rows for o in json.loads(r[0]))

    @staticmethod
    def _key(row: object) -> ApiKey:
        r = dict(row)  # type: ignore[call-overload]
        return ApiKey(
            id=r["id"], name=r["name"], scope=Scope(r["scope"]), origins=json.loads(r["origins"]),
            created_at=r["created_at"], revoked_at=r["revoked_at"],
        )
