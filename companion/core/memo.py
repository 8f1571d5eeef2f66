"""What several features compute from one session, computed once while that session is current.

Ingest tells the listeners about one session at a time; the tips listener and the summaries
listener both need the session's advice analysis (its sentences embedded for the advice
detector). `SessionMemo` keeps the values computed for the latest session object, so the second
listener reads what the first computed. It is keyed by the object itself, not its id or content
hash: a session loaded again (after a redaction, say) is analysed afresh. Only one session's
values are held, so memory does not grow with the corpus.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from companion.core.schemas import Session

T = TypeVar("T")


class SessionMemo:
    """Values computed from the most recent session, by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._values: dict[str, Any] = {}

    def get(self, session: Session, name: str, compute: Callable[[], T]) -> T:
        """The value `name` of this session version, computed on first use.

        Args:
            session: the session object the value is computed from.
            name: what the value is; include anything else it depends on (settings).
            compute: computes the value; called without the lock held.
        """
        with self._lock:
            if self._session is session and name in self._values:
                return self._values[name]
        value = compute()
        with self._lock:
            if self._session is not session:
                self._session, self._values = session, {}
            self._values[name] = value
        return value
