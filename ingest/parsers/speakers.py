"""Recognising a `Name: ` speaker prefix at the start of a line or caption."""

from __future__ import annotations

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 6
_NAME_PUNCTUATION = frozenset(" .'’-()_")


def split_speaker_prefix(text: str) -> tuple[str | None, str]:
    """Split `Name: words` into ("Name", "words"); return (None, text) when there is no name.

    A name is 1-60 characters, starts with a letter, holds letters, digits, spaces and
    . ' ’ - ( ) _ only, and has at most six words. The colon must be followed by whitespace
    or the end of the text, so "10:30", "https://..." and "ratio 3:1" are not speakers.
    """
    colon = text.find(":", 0, MAX_NAME_CHARS + 2)
    if colon <= 0:
        return None, text
    after = text[colon + 1 :]
    if after and not after[0].isspace():
        return None, text
    name = text[:colon].strip()
    if not is_speaker_name(name):
        return None, text
    return name, after.strip()


def is_speaker_name(name: str) -> bool:
    """True when `name` looks like a person or role label rather than prose."""
    if not 1 <= len(name) <= MAX_NAME_CHARS or not name[0].isalpha():
        return False
    if len(name.split()) > MAX_NAME_WORDS:
        return False
    # Digits and "_" are allowed after the first letter for labels like "Speaker 2", "SPEAKER_01".
    return all(char.isalnum() or char in _NAME_PUNCTUATION for char in name)
