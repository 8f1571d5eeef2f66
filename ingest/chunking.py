"""Turn a session's speaker turns into retrievable chunks within a token budget.

Turns stay whole where they fit; long turns split at sentence boundaries; short neighbouring
turns merge up to the budget. Tokens are counted with the embedding model's own tokenizer
(`tokenizers`, no torch import), so a chunk never exceeds what the model reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.core.schemas import Chunk, Session, Turn
from companion.core.text import split_sentences

__all__ = ["split_sentences"]

TokenCounter = Callable[[list[str]], list[int]]



def tokenizer_counter(model_path: str) -> TokenCounter:
    """A token counter backed by the model folder's `tokenizer.json`."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False)]

    return count


@dataclass
class _Unit:
    """A turn, or a piece of a long turn, with its token count."""

    turn: Turn
    text: str
    tokens: int
    piece: bool = False

    @property
    def line(self) -> str:
        return f"{self.turn.speaker}: {self.text}" if self.turn.speaker else self.text


def chunk_id(session_id: str, turn_start: int, turn_end: int, text: str) -> str:
    """A content-derived id: the same text at the same place always gets the same id."""
    digest = hashlib.sha1(f"{session_id}\x1f{turn_start}\x1f{turn_end}\x1f{text}".encode())
    return f"{session_id[:40]}:{digest.hexdigest()[:16]}"


class Chunker:
    """Packs turns into chunks of at most `max_tokens` tokens.

    Args:
        count_tokens: returns the token count of each text in a list.
        max_tokens: budget per chunk, speaker labels included.
    """

    def __init__(self, count_tokens: TokenCounter, max_tokens: int = 192) -> None:
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens

    def chunk(self, session: Session) -> list[Chunk]:
        """The session's chunks in order."""
        chunks: list[Chunk] = []
        group: list[_Unit] = []
        used = 0
        for unit in self._units(session.turns):
            cost = unit.tokens + 4  # speaker label and separator
            # Pieces of a long turn stand alone, so a chunk never glues the tail of a long turn
            # to the next speaker (keeps citations to one turn where possible).
            if group and (used + cost > self.max_tokens or unit.piece or group[-1].piece):
                chunks.append(self._make(session, group, len(chunks)))
                group, used = [], 0
            group.append(unit)
            used += cost
        if group:
            chunks.append(self._make(session, group, len(chunks)))
        return chunks

    def _units(self, turns: list[Turn]) -> Iterator[_Unit]:
        spoken = [t for t in turns if t.text.strip()]
        counts = self.count_tokens([t.text for t in spoken]) if spoken else []
        for turn, tokens in zip(spoken, counts, strict=True):
            if tokens + 4 <= self.max_tokens:
                yield _Unit(turn, turn.text, tokens)
            else:
                yield from self._split_long(turn)

    def _split_long(self, turn: Turn) -> Iterator[_Unit]:
        budget = self.max_tokens - 8
        pieces = self._bounded_sentences(turn.text, budget)
        counts = self.count_tokens(pieces)
        buf: list[str] = []
        used = 0
        for piece, tokens in zip(pieces, counts, strict=True):
            if buf and used + tokens > budget:
                yield _Unit(turn, " ".join(buf), used, piece=True)
                buf, used = [], 0
            buf.append(piece)
            used += tokens
        if buf:
            yield _Unit(turn, " ".join(buf), used, piece=True)

    def _bounded_sentences(self, text: str, budget: int) -> list[str]:
        """Sentences, with any sentence over the budget cut at word boundaries."""
        out: list[str] = []
        sentences = split_sentences(text)
        for sentence, tokens in zip(sentences, self.count_tokens(sentences), strict=True):
            if tokens <= budget:
                out.append(sentence)
                continue
            words = sentence.split()
            # Roughly tokens per word, so each slice lands under the budget.
            step = max(1, int(len(words) * budget / tokens * 0.9))
            out.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
        return out

    @staticmethod
    def _make(session: Session, group: list[_Unit], ordinal: int) -> Chunk:
        text = "\n".join(u.line for u in group)
        first, last = group[0].turn, group[-1].turn
        speakers = list(dict.fromkeys(u.turn.speaker for u in group if u.turn.speaker))
        return Chunk(
            id=chunk_id(session.id, first.index, last.index, text),
            session_id=session.id,
            text=text,
            speakers=speakers,
            turn_start=first.index,
            turn_end=last.index,
            start=first.start,
            end=max((u.turn.end for u in group if u.turn.end is not None), default=None),
            ordinal=ordinal,
        )
