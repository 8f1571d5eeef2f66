"""Identity resolution against the catalog: a session's speaker labels -> people.

The rules are `companion.core.identity`'s; this reads the directory and each session's labels
once per instance (one request), so every feature asks the same question the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from companion.core.identity import name_parts, person_id_of, resolve_labels
from companion.features.people.directory import PeopleDirectory
from companion.features.people.models import Person
from companion.storage.catalog import Catalog


class Identities:
    """Who each speaker label is, session by session.

    Args:
        catalog: the catalog with the sessions' turns and the people directory.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.directory = PeopleDirectory(catalog)
        self._sessions: dict[str, dict[str, str]] = {}

    @cached_property
    def people(self) -> dict[str, Person]:
        """Directory people by id."""
        return {p.id: p for p in self.directory.list()}

    @cached_property
    def _aliases(self) -> dict[str, str]:
        rows = self.catalog.conn.execute("SELECT alias, person_id FROM person_aliases")
        return {str(r[0]): str(r[1]) for r in rows}

    def session_labels(self, session_id: str) -> list[str]:
        """The distinct speaker labels of a session."""
        rows = self.catalog.conn.execute(
            "SELECT DISTINCT speaker FROM turns WHERE session_id = ? AND speaker IS NOT NULL",
            (session_id,),
        )
        return [str(r[0]) for r in rows]

    def for_session(self, session_id: str, extra: list[str] | None = None) -> dict[str, str]:
        """Label -> identity key for every label of the session (plus `extra` labels)."""
        if session_id not in self._sessions or extra:
            labels = self.session_labels(session_id) + list(extra or [])
            names = {pid: p.name for pid, p in self.people.items()}
            self._sessions[session_id] = resolve_labels(labels, self._aliases, names)
        return self._sessions[session_id]

    def identity(self, label: str, session_id: str | None = None) -> str:
        """The identity key of a label: a person id, or "name:<full name key>"."""
        if session_id is not None:
            found = self.for_session(session_id)
            if label in found:
                return found[label]
        names = {pid: p.name for pid, p in self.people.items()}
        return resolve_labels([label], self._aliases, names)[label]

    def person_id(self, label: str | None, session_id: str | None = None) -> str | None:
        """The directory person a label names (in that session), or None."""
        if not label or not name_parts(label).tokens:
            return None
        return person_id_of(self.identity(label, session_id))

    def person(self, label: str | None, session_id: str | None = None) -> Person | None:
        """The directory person a label names (in that session), or None."""
        person_id = self.person_id(label, session_id)
        return self.people.get(person_id) if person_id else None

    def labels_of(self, person_id: str) -> set[str]:
        """Every label, in any session, that resolves to this person."""
        rows = self.catalog.conn.execute("SELECT DISTINCT session_id FROM turns").fetchall()
        return {label for (sid,) in rows
                for label, ident in self.for_session(str(sid)).items() if ident == person_id}

    def keys_for(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Identity keys for (label, session id) pairs pooled from many sessions.

        Each label is resolved in its session first; a short form left unresolved there ("Tom"
        in a session with no full name) then joins the one full name it fits among all the
        pairs, as long as exactly one fits.
        """
        pairs = list(dict.fromkeys(pairs))
        keys = {(label, sid): self.identity(label, sid) for label, sid in pairs}
        fulls = {key: label for (label, _), key in keys.items() if name_parts(label).is_full}
        pooled = resolve_labels(list(fulls.values()) + [label for label, _ in pairs])
        by_name = {pooled[label]: key for key, label in fulls.items()}
        for pair, key in keys.items():
            if key.startswith("name:") and not name_parts(pair[0]).is_full:
                keys[pair] = by_name.get(pooled[pair[0]], key)
        return keys
