"""Parsers that turn transcripts and notes (VTT, SRT, text, JSON, QMSum, Markdown) into sessions.

Parsing stays light (no model imports) so re-ingesting unchanged files is fast.
"""

from ingest.parsers.discovery import discover
from ingest.parsers.loader import PARSER_VERSION, SUPPORTED_EXTENSIONS, load_session
from ingest.parsers.text import slugify

__all__ = ["PARSER_VERSION", "SUPPORTED_EXTENSIONS", "discover", "load_session", "slugify"]
