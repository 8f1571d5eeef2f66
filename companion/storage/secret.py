"""The per-install secret: a random key in the data dir that keys every stored hash of a name.

Tombstones and audit targets hold HMAC-SHA256 digests under this key, so hashing a directory of
names (or guessing ids) does not recover who was forgotten. The file is created on first use
(readable by its owner only) and never exported: an export carries keyed hashes that mean
nothing without it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_BYTES = 32


def load_install_secret(path: Path) -> bytes:
    """The secret at `path`, created (mode 0600) when missing; safe when two processes race.

    Raises:
        OSError: The file cannot be read or created.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    if len(data) >= SECRET_BYTES:
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(SECRET_BYTES))
    try:
        os.link(tmp, path)  # fails if another process created it first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


def keyed_digest(secret: bytes, value: str) -> str:
    """HMAC-SHA256 of `value` under the install secret, as hex."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
