"""How much a shared word says: inverse document frequency over the catalog's chunks.

Two quotes that share "routine" and "copy" are about the same thing; two that share "private
office" in a corpus about private offices may not be. Document frequencies come from the FTS5
index the catalog already keeps, so nothing is rebuilt or held in memory beyond a cache.

Placing a session's quotes counts only the chunks of the sessions up to it in date order
(`upto`): that is what the catalog holds when sessions are ingested in date order, and what a
rebuild replaying them in that order sees, so both place the quotes alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from companion.core.terms import STOPWORDS, stem, words
from companion.storage.catalog import Catalog

Weigher = Callable[[str], Mapping[str, float]]

# Words that every piece of advice uses ("put ... first", "always make sure"): sharing them says
# nothing about sharing the advice.
ADVICE_WORDS = frozenset(
    "put make get take go always never first want need don dont do use give sure".split()
)


def _terms(text: str) -> list[tuple[str, str]]:
    """(word, stem) of the content words of a text, advice words left out."""
    out = []
    for word in words(text):
        if word in STOPWORDS or len(word) < 2:
            continue
        key = stem(word)
        if key not in ADVICE_WORDS and word.split("'")[0] not in ADVICE_WORDS:
            out.append((word, key))
    return out


def uniform_terms(text: str) -> dict[str, float]:
    """Every content term of the text with weight 1."""
    return {key: 1.0 for _, key in _terms(text)}


class TermWeights:
    """Content terms of a text weighted by IDF over the catalog's chunks (cached per word).

    Args:
        catalog: whose chunk index gives document frequencies.
        upto: (date or "", session id) of the last session counted, in (date, id) order;
            None counts every chunk.
    """

    def __init__(self, catalog: Catalog, upto: tuple[str, str] | None = None) -> None:
        self.catalog = catalog
        self.upto = upto
        self._idf: dict[str, float] = {}
        self._chunks: int | None = None

    def __call__(self, text: str) -> dict[str, float]:
        """Stemmed content terms of `text` -> weight."""
        out: dict[str, float] = {}
        for word, key in _terms(text):
            out[key] = max(out.get(key, 0.0), self.idf(word))
        return out

    def idf(self, word: str) -> float:
        """log((N + 1) / (df + 0.5)), at least 0.1; N and df count chunks."""
        if word not in self._idf:
            if self._chunks is None:
                self._chunks = self._count("SELECT count(*) FROM chunks c", (), fts=False)
            term = word.split("'")[0].replace('"', "")
            df = self._count("SELECT count(*) FROM chunks_fts", (f'"{term}"',), fts=True) \
                if term else 0
            self._idf[word] = max(0.1, math.log((self._chunks + 1) / (df + 0.5)))
        return self._idf[word]

    def _count(self, select: str, args: tuple[str, ...], fts: bool) -> int:
        """A count of chunks (matching `args[0]` if `fts`), only up to `upto` when it is set."""
        conditions = ["chunks_fts MATCH ?"] if fts else []
        if self.upto is not None:
            if fts:
                select += " JOIN chunks c ON c.rowid = chunks_fts.rowid"
            select += " JOIN sessions s ON s.id = c.session_id"
            conditions.append("(coalesce(s.date, ''), s.id) <= (?, ?)")
            args = (*args, *self.upto)
        sql = select + (" WHERE " + " AND ".join(conditions) if conditions else "")
        return int(self.catalog.conn.execute(sql, args).fetchone()[0])
