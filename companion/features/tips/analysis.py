"""One advice analysis per session, shared by the tips registry and the session's summary.

The tips listener and the summaries listener both read a session's advice (the detector's
keeps); `shared_analysis` computes it once per ingested session (`Context.session_memo`), so its
sentences are embedded once even when the embed cache is off, and the summary's tips read the
same vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from companion.core.schemas import Session
from companion.core.settings import TipsSettings
from companion.features.tips.extraction import Candidate, extract_candidates

if TYPE_CHECKING:
    from companion.retrieval.context import Context


class EmbedMemo:
    """`embed` with a memo, so a text embedded for one step is reused by the next."""

    def __init__(self, embed: Callable[[list[str]], Any]) -> None:
        self.embed = embed
        self.rows: dict[str, Any] = {}

    def __call__(self, texts: list[str]) -> Any:
        """One normalised row per text; only texts not seen before are embedded."""
        todo = [t for t in dict.fromkeys(texts) if t not in self.rows]
        if todo:
            self.rows.update(zip(todo, np.asarray(self.embed(todo), dtype=np.float32),
                                 strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.rows[t] for t in texts])


@dataclass(frozen=True)
class SessionAdvice:
    """A session's advice at the settings' threshold, and the embedder that found it.

    Attributes:
        candidates: `extract_candidates` of the session (read-only: copy before changing).
        embed: the memo holding every sentence the detector embedded; embed more through it.
    """

    candidates: tuple[Candidate, ...]
    embed: EmbedMemo


def analyse(
    session: Session, settings: TipsSettings, embed: Callable[[list[str]], Any]
) -> SessionAdvice:
    """The session's advice, its sentences embedded through a fresh memo."""
    memo = EmbedMemo(embed)
    return SessionAdvice(tuple(extract_candidates(session, settings, memo)), memo)


def shared_analysis(ctx: Context, session: Session) -> SessionAdvice:
    """`analyse` with the context's tips settings and model, once per ingested session."""
    settings = ctx.settings.tips
    return ctx.session_memo.get(
        session, f"tips.advice:{settings.model_dump_json()}",
        lambda: analyse(session, settings, ctx.embeddings.embed_many),
    )
