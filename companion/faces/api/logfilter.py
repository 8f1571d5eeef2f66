"""Keeps API keys out of the logs: `?key=...` in a logged URL is replaced by `key=[redacted]`."""

from __future__ import annotations

import logging
import re

_KEY_PARAM = re.compile(r"(?i)([?&](?:key|api_key|token)=)[^&#\s\"']*")
REDACTED = "[redacted]"


def redact_keys(text: str) -> str:
    """The text with the values of key-like query parameters replaced.

    >>> redact_keys("GET /demo?key=lc_w_abc&x=1 HTTP/1.1")
    'GET /demo?key=[redacted]&x=1 HTTP/1.1'
    """
    return _KEY_PARAM.sub(r"\1" + REDACTED, text)


class KeyRedactingFilter(logging.Filter):
    """A logging filter that redacts key values in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact_keys(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_keys(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_key_filter(names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")) -> None:
    """Add the filter to the access and error loggers once (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, KeyRedactingFilter) for f in logger.filters):
            logger.addFilter(KeyRedactingFilter())
