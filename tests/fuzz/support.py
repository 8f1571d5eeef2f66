"""Hypothesis settings and checks shared by the fuzz tests."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata

from hypothesis import HealthCheck, settings

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Session

FUZZ = settings(
    # Same examples on every run, so CI is reproducible and a failure can be replayed.
    derandomize=True,
    database=None,
    # Generous: the suite shares a loaded machine; a real hang takes far longer than this.
    deadline=dt.timedelta(milliseconds=3000),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    print_blob=True,
)
"""Base settings for every property; each test sets its own `max_examples`."""

MAX_REASON_CHARS = 300
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def assert_clear_error(error: TranscriptParseError, paths: set[str], line_count: int) -> None:
    """The error names one of `paths`, a line that exists (if any) and a short one-line reason."""
    assert error.path in paths, error.path
    reason = error.reason
    assert reason.strip(), "empty reason"
    assert len(reason) <= MAX_REASON_CHARS, reason
    unsafe = [char for char in reason if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")]
    assert not unsafe, f"reason holds control characters {unsafe!r}: {reason!r}"
    if error.line is not None:
        assert 1 <= error.line <= line_count, (error.line, line_count, reason)


def assert_sane_session(session: Session) -> None:
    """Turns in order with finite, non-negative, ordered times; everything UTF-8 encodable."""
    assert _SLUG.fullmatch(session.id), session.id
    assert session.title.strip()
    assert session.turns
    if session.date is not None:
        dt.date.fromisoformat(session.date)
    for position, turn in enumerate(session.turns):
        assert turn.index == position
        if turn.speaker is not None:
            assert turn.speaker.strip() and turn.speaker == turn.speaker.strip()
        assert turn.section is None or turn.section.strip()
        for value in (turn.start, turn.end):
            assert value is None or (math.isfinite(value) and value >= 0), (turn.start, turn.end)
        if turn.start is not None and turn.end is not None:
            assert turn.start <= turn.end, (turn.start, turn.end)
    # The catalog, Chroma and every JSON response encode the session as UTF-8.
    json.dumps(session.model_dump(), ensure_ascii=False).encode("utf-8")


def count_lines(data: bytes) -> int:
    """Lines in a file as the parsers number them (at least 1)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
