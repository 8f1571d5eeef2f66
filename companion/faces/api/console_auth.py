"""Console sign-in: an admin key exchanged for a signed, HttpOnly cookie, and CSRF tokens.

The cookie holds `KEY_ID.EXPIRES.MAC` (never the key): the MAC uses the install's secret, and
the key must still be active on every request, so revoking it signs the console out. Each
form carries a CSRF token derived from the cookie, checked on every POST.
"""

from __future__ import annotations

import time

from fastapi import Request

from companion.auth.keys import ApiKey, KeyStore
from companion.auth.links import LinkSigner

COOKIE = "companion_console"


def issue_session(signer: LinkSigner, key: ApiKey, hours: float) -> str:
    """A cookie value for a signed-in admin key."""
    value = f"{key.id}.{int(time.time() + hours * 3600)}"
    return f"{value}.{signer.mac('console', value)}"


def session_key(request: Request, signer: LinkSigner, keys: KeyStore) -> ApiKey | None:
    """The admin key behind the request's console cookie, or None (absent, forged, expired)."""
    raw = request.cookies.get(COOKIE, "")
    key_id, _, rest = raw.partition(".")
    expires, _, mac = rest.partition(".")
    if not (key_id and expires.isdigit() and mac):
        return None
    if not signer.verify_mac("console", f"{key_id}.{expires}", mac) or int(expires) < time.time():
        return None
    for key in keys.list():
        if key.id == key_id and key.revoked_at is None and key.is_admin:
            return key
    return None


def csrf_token(request: Request, signer: LinkSigner) -> str:
    """The CSRF token of the request's console session."""
    return signer.mac("csrf", request.cookies.get(COOKIE, ""))


def csrf_ok(request: Request, signer: LinkSigner, token: str | None) -> bool:
    """Whether a posted token belongs to this console session."""
    return bool(token) and signer.verify_mac("csrf", request.cookies.get(COOKIE, ""), token or "")
