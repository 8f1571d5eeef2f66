"""What a forgotten person left behind: their labels and sentences, to find copies of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from companion.core.text import split_sentences

# Shorter sentences ("Okay.", "Thanks Jo.") are said by everyone; they identify nobody.
MIN_SENTENCE_CHARS = 25


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


@dataclass(frozen=True)
class Traces:
    """A person's speaker labels and the sentences of their removed turns."""

    labels: frozenset[str]
    sentences: frozenset[str]

    @classmethod
    def of(cls, labels: Iterable[str], texts: Iterable[str]) -> Traces:
        """Traces from labels and the full texts of removed turns."""
        sentences = {
            _squash(s) for text in texts for s in split_sentences(text)
            if len(s.strip()) >= MIN_SENTENCE_CHARS
        }
        return cls(frozenset(label.strip() for label in labels if label.strip()),
                   frozenset(sentences))

    def quoted_in(self, text: str | None) -> bool:
        """True when the text contains one of the removed sentences."""
        if not text:
            return False
        haystack = _squash(text)
        return any(s in haystack for s in self.sentences)

    def named_in(self, text: str | None) -> bool:
        """True when the text names the person by one of their labels (as written)."""
        if not text or not self.labels:
            return False
        pattern = r"(?<![\w'])(?:" + "|".join(
            re.escape(label) for label in sorted(self.labels, key=len, reverse=True)
        ) + r")(?![\w-])"
        return re.search(pattern, text) is not None
