"""Links into transcripts: `moment_url` builds one, `LinkSigner` signs it for one session.

A widget user never holds an admin key, so the link a citation carries holds a short-lived
token instead: `SCOPE.EXPIRES.MAC`, an HMAC-SHA256 over the session id, the scope and the
expiry with a secret kept in the data dir (created on first use, never sent anywhere). The
token opens that one session until it expires and nothing else; it is not the API key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from companion.core.errors import AuthError, ForbiddenError

SECRET_FILE = "link-secret"
SCOPES = ("admin", "widget")


class LinkRequiredError(AuthError):
    """A transcript asked for without a signed link or an admin key (401)."""

    headers = {"WWW-Authenticate": "Bearer"}


def moment_url(
    template: str,
    session_id: str,
    start: float | None,
    turn_start: int,
    turn_end: int | None = None,
) -> str:
    """The link that opens a session at a moment (`{session_id}`, `{seconds}`, `{turn}`).

    `{turn}` is the cited turn range (`3` or `3-5`). Without a time (notes), a `#t=` fragment
    becomes `#turn=N`, so the link still lands on the passage.
    """
    seconds = int(start) if start is not None else 0
    last = turn_start if turn_end is None else turn_end
    turns = f"{turn_start}" if last == turn_start else f"{turn_start}-{last}"
    url = template.format(session_id=quote(session_id, safe=""), seconds=seconds, turn=turns)
    if start is None:
        url = url.replace(f"#t={seconds}", f"#turn={turn_start}")
    return url


def with_query(url: str, name: str, value: str) -> str:
    """`url` with `name=value` added to its query (before any fragment)."""
    base, hash_, fragment = url.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{name}={quote(value, safe='')}{hash_}{fragment}"


def load_secret(data_dir: Path) -> bytes:
    """The install's signing secret, created (readable by the owner only) on first use."""
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


class LinkSigner:
    """Signs and checks per-session tokens.

    Args:
        secret: the install's secret (see `load_secret`).
        clock: seconds since the epoch (tests move it).
    """

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self.clock = clock

    def _mac(self, purpose: str, *parts: str) -> str:
        message = "\n".join((purpose, *parts)).encode("utf-8")
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    def token(self, session_id: str, scope: str, ttl_seconds: int) -> str:
        """A token that opens `session_id` for `ttl_seconds`."""
        expires = int(self.clock()) + int(ttl_seconds)
        return f"{scope}.{expires}.{self._mac('session', session_id, scope, str(expires))}"

    def check(self, session_id: str, token: str) -> str:
        """The scope a valid token was issued for.

        Raises:
            ForbiddenError: the token is malformed, for another session, or expired.
        """
        scope, _, rest = token.partition(".")
        expires, _, mac = rest.partition(".")
        if scope not in SCOPES or not expires.isdigit() or not hmac.compare_digest(
            mac, self._mac("session", session_id, scope, expires)
        ):
            raise ForbiddenError("this link is not valid for this session")
        if int(expires) < self.clock():
            raise ForbiddenError(
                "this link has expired; open the citation again from the answer or tip"
            )
        return scope

    def mac(self, purpose: str, value: str) -> str:
        """A MAC of `value` for another purpose (console cookies, CSRF tokens)."""
        return self._mac(purpose, value)

    def verify_mac(self, purpose: str, value: str, mac: str) -> bool:
        """Whether `mac` is `mac(purpose, value)`."""
        return hmac.compare_digest(mac, self._mac(purpose, value))
