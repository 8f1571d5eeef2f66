"""A person's contact as a learner can use it: a `mailto:` link when it is an email address."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s@<>()\"]+@[^\s@<>()\"]+\.[^\s@<>()\"]+")


def mailto_link(contact: str | None) -> str | None:
    """`mailto:` + the contact when it is an email address, else None."""
    text = (contact or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return f"mailto:{text}" if _EMAIL.fullmatch(text) else None
