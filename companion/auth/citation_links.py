"""Gives every citation in a result a `url` into the transcript, signed for whoever asked.

Citations have many homes (answers, tip quotes, peer evidence, summaries), all pydantic models
with `session_id`, `turn_start`, `turn_end` and a `url` field. `CitationLinks.attach` walks a
result and fills `url` (and `session_title` where the model has one and it is empty), so each
face links the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from companion.auth.links import LinkSigner, moment_url, with_query
from companion.storage.catalog import Catalog

TOKEN_PARAM = "sig"


class CitationLinks:
    """Builds transcript links for one kind of reader.

    Args:
        catalog: where session titles and consent come from.
        signer: signs the per-session tokens.
        template: `summaries.link_template`.
        scope: `admin` or `widget`: widget links never open a private (no-consent) session.
        ttl_seconds: how long a link works.
        base: prefix for relative templates (e.g. `http://host:8000`), or "" to keep them relative.
    """

    def __init__(
        self,
        catalog: Catalog,
        signer: LinkSigner,
        template: str,
        scope: str,
        ttl_seconds: int,
        base: str = "",
    ) -> None:
        self.catalog = catalog
        self.signer = signer
        self.template = template
        self.scope = scope
        self.ttl = ttl_seconds
        self.base = base.rstrip("/")
        self._sessions: dict[str, tuple[str, bool]] | None = None

    def _session(self, session_id: str) -> tuple[str, bool] | None:
        """(title, consent) of a stored session, or None."""
        if self._sessions is None:
            rows = self.catalog.conn.execute("SELECT id, title, consent FROM sessions")
            self._sessions = {r["id"]: (r["title"], bool(r["consent"])) for r in rows}
        return self._sessions.get(session_id)

    def url(
        self, session_id: str, start: float | None, turn_start: int, turn_end: int | None = None
    ) -> str | None:
        """The signed link to a moment, or None (unknown session, or private for widgets)."""
        found = self._session(session_id)
        if found is None or (self.scope != "admin" and not found[1]):
            return None
        url = moment_url(self.template, session_id, start, turn_start, turn_end)
        if url.startswith("/"):
            url = self.base + url
        return with_query(url, TOKEN_PARAM, self.signer.token(session_id, self.scope, self.ttl))

    def title(self, session_id: str) -> str | None:
        """A session's title (None when unknown)."""
        found = self._session(session_id)
        return found[0] if found else None

    def attach(self, value: Any) -> Any:
        """Fill `url` (and an empty `session_title`) on every citation inside `value`."""
        self._walk(value, depth=0)
        return value

    def _walk(self, value: Any, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            if {"session_id", "turn_start", "url"} <= fields.keys():
                self._link(value)
            for name in fields:
                child = getattr(value, name, None)
                if isinstance(child, BaseModel | list | tuple | dict):
                    self._walk(child, depth + 1)
        elif isinstance(value, dict):
            self._walk_all(value.values(), depth)
        elif isinstance(value, list | tuple):
            self._walk_all(value, depth)

    def _walk_all(self, values: Iterable[Any], depth: int) -> None:
        for v in values:
            self._walk(v, depth + 1)

    def _link(self, cite: Any) -> None:
        cite.url = self.url(
            cite.session_id, getattr(cite, "start", None), cite.turn_start,
            getattr(cite, "turn_end", None),
        )
        if "session_title" in type(cite).model_fields and not cite.session_title:
            cite.session_title = self.title(cite.session_id)
