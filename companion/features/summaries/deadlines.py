"""Deadlines as people say them: "by Friday", "next week", "by the end of the month"."""

from __future__ import annotations

import re

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today)"
# Month names only capitalised, so "in may" is not a deadline.
_MONTH = (
    r"(?-i:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
    r"eighteenth|nineteenth|twentieth|twenty-\w+|thirtieth|thirty-first)"
)
_PERIOD = r"(?:week|month|year|day|quarter|term|recess|" + _MONTH + ")"

_PATTERNS = [
    rf"(?:by|before|on|until|for) (?:next |this )?{_DAY}(?: morning| afternoon| evening)?",
    rf"(?:by |before )?the end of (?:next |this |the )?{_PERIOD}",
    rf"(?:by|before|on|from) (?:the )?{_ORDINAL}(?: of)?(?: {_MONTH})?",
    rf"(?:by|before|on|from) {_ORDINAL} {_MONTH}",
    rf"(?:by|before|in|from|after|until) (?:early |mid-?|late |the end of )?{_MONTH}",
    rf"(?:early|mid-?|late) {_MONTH}",
    r"before the deadline(?: on the " + _ORDINAL + r")?",
    r"before (?:our|the|my|your) next (?:session|meeting|catch-up|one)",
    r"(?:after|straight after) (?:this|the) (?:session|meeting|call)",
    r"(?:this|next) (?:week|month|afternoon|morning|evening|term|year)",
    rf"(?:this|next) {_DAY}",
    r"within (?:a|an|one|two|three|four|five|\d+) (?:days?|weeks?|months?|working days?)",
    r"in a (?:couple|few) of (?:days|weeks)",
    r"(?:by )?(?:tomorrow|tonight|today|end of day|close of play)",
]
_DEADLINE = re.compile(
    r"\b(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + r")\b(?!['’]s\b)", re.I
)


def find_deadline(text: str) -> str | None:
    """The first deadline phrase in the text, as said; None when there is none."""
    match = _DEADLINE.search(text)
    return match.group(0) if match else None
