"""The peers feature as the composition root wires it."""

from __future__ import annotations

from companion.core.feature import Feature, Migration
from companion.features.peers.history import SCHEMA as HISTORY
from companion.features.peers.privacy import forget_in_peers
from companion.features.peers.service import PeerService
from companion.features.peers.turn_vectors import SCHEMA as TURN_VECTORS
from companion.retrieval.context import Context

MIGRATIONS = (Migration("peers", 1, HISTORY + TURN_VECTORS),)

def build(ctx: Context) -> Feature:
    """The peers feature: suggestions, their history, cached turn vectors."""
    return Feature(
        name="peers",
        service=PeerService(ctx),
        tables=("peer_recommendations", "peer_turn_vectors"),
        forget=lambda person, traces, sessions: forget_in_peers(ctx, person, traces, sessions),
    )
