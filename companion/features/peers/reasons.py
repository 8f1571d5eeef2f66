"""The one-line reason shown with each suggestion."""

from __future__ import annotations

from collections.abc import Iterable

from companion.features.peers.evidence import Attribution
from companion.features.peers.ranking import PersonScore

MAX_TITLES = 2


def reason_for(p: PersonScore, on_topic: float, shadow: bool = False) -> str:
    """E.g. "Spoke about it in 3 sessions, most recently 2026-10-02; facilitated '...'".

    Args:
        p: the person's evidence.
        on_topic: relevance from which a turn counts as speaking about the topic.
        shadow: whether first-person practice was asked for (then it is mentioned).
    """
    clear = [a for a in p.attributions
             if a.contribution > 0 and a.evidence.own_relevance >= on_topic
             and not a.evidence.question]
    spoken = [a for a in clear if not a.via_mention]
    noted = [a for a in clear if a.via_mention and a.evidence.session.is_notes]
    named_by = sorted({a.named_by or "" for a in clear
                       if a.via_mention and not a.evidence.session.is_notes} - {""})
    parts: list[str] = []
    if spoken:
        sessions = {a.evidence.session.id for a in spoken}
        head = f"Spoke about it in {_count(len(sessions), 'session')}"
        latest = _latest(spoken)
        parts.append(head + (f", most recently {latest}" if latest else ""))
    if noted:
        parts.append(_lead("named in notes of ", parts)
                     + _titles(a.evidence.session.title for a in noted))
    if named_by:
        parts.append(_lead("named by ", parts) + _names(named_by))
    if p.facilitated:
        parts.append(_lead("facilitated ", parts) + _titles(s.title for s in p.facilitated))
    if shadow and p.practice:
        parts.append(_lead("described doing it themselves", parts))
    if not parts:
        parts.append("Touched on it" + (f", most recently {_latest(p.attributions)}"
                                        if _latest(p.attributions) else ""))
    return "; ".join(parts)


def _lead(text: str, parts: list[str]) -> str:
    return text if parts else text[0].upper() + text[1:]


def _latest(attributions: Iterable[Attribution]) -> str | None:
    dates = [a.evidence.session.date for a in attributions
             if a.contribution > 0 and a.evidence.session.date]
    return max(dates) if dates else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _names(names: list[str]) -> str:
    more = len(names) - MAX_TITLES
    return ", ".join(names[:MAX_TITLES]) + (f" and {more} more" if more > 0 else "")


def _titles(titles: Iterable[str]) -> str:
    names = list(dict.fromkeys(titles))
    more = len(names) - MAX_TITLES
    shown = ", ".join(f"'{t}'" for t in names[:MAX_TITLES])
    return shown + (f" and {more} more" if more > 0 else "")
