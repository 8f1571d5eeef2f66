"""The seam to the peers feature: who is best placed to answer an open question."""

from __future__ import annotations

from companion.features.summaries.models import PeerRef
from companion.retrieval.context import Context


def suggest_peers(
    ctx: Context, topic: str, asker: str | None, limit: int, session_id: str | None = None
) -> list[PeerRef]:
    """People to ask about `topic` (the asker left out); empty without the peers feature.

    The asker is resolved as identity resolution reads their label in the session they asked
    in ("Amara" there is Dr Amara Okafor), so the person who asked is never suggested.

    Uses `companion.features.peers.service.PeerService`, which only suggests people who agreed to be
    recommended and only from sessions with consent.
    """
    try:
        from companion.features.peers.service import PeerService
    except ModuleNotFoundError as exc:
        if exc.name and "companion.features.peers.service".startswith(exc.name):
            return []
        raise
    service = PeerService(ctx, record=False)
    person = service.resolver.person_for_speaker(asker, session_id) if asker else None
    person = person or (service.resolver.find(asker) if asker else None)
    result = service.recommend(topic, exclude=person.id if person else None, limit=limit)
    return [
        PeerRef(person_id=s.person_id, name=s.name, role=s.role, reason=s.reason,
                contact=s.contact)
        for s in result.suggestions
    ]
