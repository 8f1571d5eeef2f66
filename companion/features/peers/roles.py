"""How well a person's directory role fits a topic: "who knows about the case materials?".

The role text (role and team, as the people file gives them) is embedded once per text and
compared with the topic; the fit is how far the cosine rises above `ROLE_FLOOR`, scaled to 0..1.
Ranking multiplies a person's expertise by `1 + role_weight * fit`, so a role never outranks
evidence on its own: someone who said nothing about the topic is not ranked at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from companion.features.people import Person

ROLE_FLOOR = 0.1
_VECTORS: dict[tuple[str, str], Any] = {}


def role_text(person: Person) -> str:
    """What the directory says a person does: role and team."""
    return " · ".join(x for x in (person.role, person.team) if x)


def role_fit(topic: str, people: Sequence[Person], embeddings: Any,
             topic_vector: Sequence[float] | None = None) -> dict[str, float]:
    """0..1 per person with a role: how well the role text fits the topic (0: no role)."""
    texts = {p.id: role_text(p) for p in people if role_text(p)}
    if not texts:
        return {}
    model = str(getattr(embeddings, "model_path", type(embeddings).__name__))
    missing = sorted({t for t in texts.values() if (model, t) not in _VECTORS})
    if missing:
        for text, vector in zip(missing, embeddings.embed_many(missing), strict=True):
            _VECTORS[(model, text)] = np.asarray(vector, dtype=np.float32)
    query = np.asarray(topic_vector if topic_vector is not None
                       else embeddings.embed_query(topic), dtype=np.float32)
    out = {}
    for person_id, text in texts.items():
        cosine = float(_VECTORS[(model, text)] @ query)
        out[person_id] = max(0.0, cosine - ROLE_FLOOR) / (1 - ROLE_FLOOR)
    return out
