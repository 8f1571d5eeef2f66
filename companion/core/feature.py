"""What a feature declares to the composition root: one `Feature` object per feature.

Ingest, forget, delete, export and import see features only through these declarations, so no
feature (and no privacy code) reads or writes another feature's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from companion.core.traces import Traces

# Counts a feature holds for one session (e.g. {"tip_quotes": 12}); forget reports the change.
SessionCounter = Callable[[str], Mapping[str, int]]
# Removes a forgotten person's copies after their sessions were redacted; returns counts.
ForgetHook = Callable[[str, Traces, Sequence[str]], Mapping[str, int]]
# Called before a session is redacted or deleted (e.g. drop a cached summary).
SessionHook = Callable[[str], None]


@dataclass(frozen=True)
class Migration:
    """One step of a feature's part of the catalog schema.

    Attributes:
        owner: the feature (or store) that owns the tables.
        version: 1, 2, ... applied in order, each once per catalog.
        script: SQL (several statements) run in one transaction.
    """

    owner: str
    version: int
    script: str


@dataclass
class Feature:
    """A feature as the composition root wires it.

    Its schema steps are the feature module's `MIGRATIONS`, read by the composition root before
    any feature is built (building one may already need its tables).

    Attributes:
        name: short name ("tips", "peers", ...).
        service: the feature's service object, what faces call.
        listener: told about stored and removed sessions by the ingest pipeline (or None).
        tables: the catalog tables it owns (export/import copy these).
        forget: removes a forgotten person's copies beyond the sessions.
        before_redact: runs before one of the person's sessions is rewritten.
        count: what it holds for a session, so forget can report what went.
    """

    name: str
    service: Any = None
    listener: Any = None
    tables: tuple[str, ...] = ()
    forget: ForgetHook | None = None
    before_redact: SessionHook | None = None
    count: SessionCounter | None = None
