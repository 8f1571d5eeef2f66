"""How well a person's directory role fits a topic: "who knows about the case materials?".

The role text (role and team, as the people file gives them) is embedded once per text and
compared with the topic. The fit is relative to the roles of the people being ranked: 1 for the
role closest to the topic, `exp(-gap / temperature)` for a role `gap` below it, 0 for a role
whose cosine stays under `ROLE_FLOOR` (a role unrelated to the topic). A topic is seldom worded
like a job title, so absolute cosines are small; which role fits best is what they tell. A role
the fitted profiles know (`role_profiles`: which role says a topic's words, from train
meetings) adds `profile_weight` times its profile score to its cosine before the comparison.
Ranking multiplies a person's expertise by `1 + role_weight * fit`, so a role never outranks
evidence on its own: someone who said nothing about the topic is not ranked at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from companion.features.peers.role_profiles import RoleProfiles
from companion.features.people import Person

ROLE_FLOOR = 0.1
_VECTORS: dict[tuple[str, str], Any] = {}


def role_text(person: Person) -> str:
    """What the directory says a person does: role and team."""
    return " · ".join(x for x in (person.role, person.team) if x)


def role_fit(topic: str, people: Sequence[Person], embeddings: Any,
             topic_vector: Sequence[float] | None = None,
             temperature: float = 0.05, profiles: RoleProfiles | None = None,
             profile_weight: float = 0.0) -> dict[str, float]:
    """0..1 per person with a role: how well the role fits the topic, next to the others' roles.

    Args:
        topic: what the user asked about.
        people: the people being ranked (no role: no entry).
        embeddings: the model that embeds the role texts (cached per model and text).
        topic_vector: the topic's vector when already computed.
        temperature: cosine gap below the best-fitting role that costs a factor e.
        profiles: what each known role talks about (`role_profiles`); a role it holds adds
            `profile_weight` times its profile score to its cosine.
        profile_weight: how much the profile score counts, in cosine units.
    """
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
    cosines = {pid: float(_VECTORS[(model, text)] @ query) for pid, text in texts.items()}
    if profiles is not None and profile_weight:
        roles = {p.id: p.role for p in people if p.id in texts and p.role}
        for pid, role in roles.items():
            cosines[pid] += profile_weight * profiles.score(topic, role)
    best = max(cosines.values())
    scale = max(temperature, 1e-6)
    return {pid: math.exp((c - best) / scale) if c > ROLE_FLOOR else 0.0
            for pid, c in cosines.items()}
