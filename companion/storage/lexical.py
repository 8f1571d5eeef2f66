"""Which question terms go into the FTS5 MATCH: the rarest few, by document frequency.

BM25 over an OR of terms reads the posting list of every term and scores every chunk that
holds any of them, so one common word ("time", "project") makes a question scan a large share
of the index, and a long question scans more: the lexical leg grew with the corpus and with the
question (about two thirds of an ask at 130k chunks). `RarestTerms` keeps terms rarest first
(fewest matching chunks) while their posting lists together stay within `max_postings`
chunks, and at most `max_terms` of them, so the leg scores a bounded number of chunks
whatever the corpus size; the rarest term is always kept (a question whose only term is common
still scans its list). The terms it drops are the ones with the lowest IDF, which move BM25
least; terms that match no chunk are dropped too (they add nothing to any score). Below
`max_postings` chunks in all (a small corpus) nothing but absent terms is ever dropped.

Document frequencies come from FTS5 itself (a count per term, through the same tokenizer as
the index) and are remembered per connection until the catalog changes (`PRAGMA
data_version` for other connections' commits, `total_changes` for this connection's own).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

# An OR of double-quoted phrases, what `companion.core.terms.fts_query` builds; any other
# MATCH expression is used as it is.
_OR_OF_PHRASES = re.compile(r'^"(?:[^"]|"")+"(?: OR "(?:[^"]|"")+")*$')
_PHRASE = re.compile(r'"((?:[^"]|"")+)"')


@dataclass
class _Frequencies:
    """Document frequencies read at one state of the catalog."""

    stamp: tuple[int, int]
    df: dict[str, int] = field(default_factory=dict)


class RarestTerms:
    """Narrows an OR-of-phrases MATCH expression to its rarest phrases.

    Args:
        table: the FTS5 table the expression is matched against.
        max_terms: how many phrases to keep at most.
        max_postings: how many chunks the kept phrases may match in all (the rarest phrase is
            kept whatever its count).
    """

    def __init__(self, table: str, max_terms: int, max_postings: int) -> None:
        self.table = table
        self.max_terms = max_terms
        self.max_postings = max_postings

    def narrow(self, conn: sqlite3.Connection, match: str, cache: dict[str, object]) -> str:
        """The expression with only its rarest phrases that match some chunk (see the class).

        Args:
            conn: the calling thread's connection.
            match: an FTS5 MATCH expression; anything but an OR of quoted phrases is returned
                unchanged.
            cache: per-connection storage for the frequencies (the catalog's thread-local).

        Returns:
            The narrowed expression; empty when no phrase matches any chunk.
        """
        if not _OR_OF_PHRASES.match(match):
            return match
        phrases = list(dict.fromkeys(_PHRASE.findall(match)))
        freq = self._frequencies(conn, cache)
        for phrase in phrases:
            if phrase not in freq.df:
                freq.df[phrase] = self._count(conn, phrase)
        present = [p for p in phrases if freq.df[p] > 0]
        kept_set: set[str] = set()
        postings = 0
        # Stable: among equally rare phrases the question's order decides.
        for phrase in sorted(present, key=lambda p: freq.df[p])[: self.max_terms]:
            if kept_set and postings + freq.df[phrase] > self.max_postings:
                break
            kept_set.add(phrase)
            postings += freq.df[phrase]
        return " OR ".join(f'"{p}"' for p in phrases if p in kept_set)

    def _frequencies(self, conn: sqlite3.Connection, cache: dict[str, object]) -> _Frequencies:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        stamp = (int(version), conn.total_changes)
        freq = cache.get("lexical_df")
        if not isinstance(freq, _Frequencies) or freq.stamp != stamp:
            freq = _Frequencies(stamp)
            cache["lexical_df"] = freq
        return freq

    def _count(self, conn: sqlite3.Connection, phrase: str) -> int:
        row = conn.execute(
            f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH ?", (f'"{phrase}"',)
        ).fetchone()
        return int(row[0])
