"""Content terms of a text: what lexical search, sentence scoring and verification compare."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just let me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    yeah uh um oh okay ok mm hmm like really just also get got go going gonna one thing things
    think know well right yes say said tell told us much many way lot bit kind sort actually
    discuss discussed discussion talk talked meeting group summarize summarise""".split()
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lowercase word tokens."""
    return _WORD.findall(text.lower().replace("’", "'"))


def stem(word: str) -> str:
    """A crude stem: enough to match 'ministers'/'minister', 'briefing'/'briefed'."""
    word = word.split("'")[0]
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:7]
    return word[:7]


def content_terms(text: str) -> list[str]:
    """Stemmed non-stopword terms, in order, duplicates kept."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression (OR of quoted terms) for a question; empty when none."""
    terms = dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) > 1)
    return " OR ".join(f'"{t.split(chr(39))[0]}"' for t in terms)
