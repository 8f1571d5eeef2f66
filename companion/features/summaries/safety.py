"""Safe output: transcript text escaped for Markdown and HTML; only safe links written.

A speaker can say (or a notes file can contain) `<script>`, `<img onerror=...>` or
`[x](javascript:...)`. In Markdown every character that could start HTML, a link, an image, an
emphasis or a code span is escaped, so the text shows as typed and nothing in it becomes markup;
in HTML the text is entity-escaped. The only links written are http(s) URLs and the transcript
view's own (`/sessions/{session_id}#t={seconds}`).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

TRANSCRIPT_LINK = "/sessions/{session_id}#t={seconds}"

# Markdown's punctuation that can start markup (CommonMark "ASCII punctuation" that matters).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")
_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")
_TRANSCRIPT_PATH = re.compile(r"^/sessions/[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]*)*$")


def md_text(text: str | None) -> str:
    """Text shown literally in Markdown.

    HTML characters become entities, markup characters are backslashed, and line breaks are
    folded so a value cannot start a heading, list or quote of its own.
    """
    if not text:
        return ""
    flat = re.sub(r"\s+", " ", text).strip()
    escaped = html.escape(flat, quote=False)  # < > & become entities: no raw HTML
    return _LINE_START.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", escaped))


def html_text(text: str | None) -> str:
    """Text shown literally in HTML (quotes escaped too, so it is safe in attributes)."""
    return html.escape(text or "", quote=True)


def safe_link(url: str) -> str | None:
    """The URL, normalised, when it is http(s) or a transcript-view path; else None.

    Characters that could end a Markdown link or an HTML attribute are percent-encoded.
    """
    url = url.strip()
    if not url or any(ord(c) < 32 for c in url):
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.netloc:
            return None
    elif scheme or parts.netloc or not _TRANSCRIPT_PATH.match(parts.path):
        return None
    return quote(url, safe="/:?#&=%+,;@!$*~._-")
