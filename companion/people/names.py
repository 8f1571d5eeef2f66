"""Speaker names as the directory compares them (defined once in `companion.people.identity`)."""

from __future__ import annotations

from companion.people.identity import POST_NOMINALS, TITLES, normalise_name

__all__ = ["POST_NOMINALS", "TITLES", "normalise_name"]
