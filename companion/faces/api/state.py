"""What the app holds for its lifetime: the context, services, rate limiters, the origin cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.to_thread

from companion.app import Companion
from companion.auth.keys import KeyStore
from companion.auth.proxies import Network, parse_networks
from companion.auth.ratelimit import TokenBuckets
from companion.core.settings import APISettings
from companion.features.ask.service import AnswerService
from companion.features.feedback.store import FeedbackStore
from companion.retrieval.context import Context
from ingest.uploads import UploadService


class OriginCache:
    """The origins of active widget keys, reloaded at most every `ttl` seconds.

    Only CORS uses this list; authentication always reads the key itself, so a revoked key
    fails at once.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._load: Callable[[], frozenset[str]] | None = None
        self._value: frozenset[str] = frozenset()
        self._loaded_at: float | None = None

    def bind(self, load: Callable[[], frozenset[str]]) -> None:
        """Set where the list comes from (the key store, once the catalog is open)."""
        self._load = load
        self.invalidate()

    def invalidate(self) -> None:
        """Reload on next use (after a key is created or revoked here)."""
        self._loaded_at = None

    async def allowed(self) -> frozenset[str]:
        """The current allow-list."""
        now = self.clock()
        if self._load is not None and (
            self._loaded_at is None or now - self._loaded_at >= self.ttl
        ):
            self._value = await anyio.to_thread.run_sync(self._load)
            self._loaded_at = now
        return self._value


@dataclass
class Limits:
    """Rate limiters kept for the app's lifetime (in memory, per process)."""

    per_address: TokenBuckets
    per_key: TokenBuckets
    trusted_proxies: list[Network] = field(default_factory=list)

    @classmethod
    def from_settings(cls, api: APISettings) -> Limits:
        """Limiters sized by the API settings."""
        return cls(
            TokenBuckets(api.rate_limit_per_minute, api.rate_limit_burst),
            TokenBuckets(api.key_rate_limit_per_minute, api.key_rate_limit_burst),
            parse_networks(api.trusted_proxies),
        )


@dataclass
class Services:
    """The stores and services the routers call, opened once by the app's lifespan."""

    companion: Companion
    ctx: Context
    answers: AnswerService
    keys: KeyStore
    feedback: FeedbackStore
    uploads: UploadService
    limits: Limits
    origins: OriginCache
    model_ready: bool = False

    @classmethod
    def open(cls, companion: Companion, limits: Limits, origins: OriginCache) -> Services:
        """Open the stores, warm the embedding model, and build the services once."""
        ctx = companion.ctx
        services = cls(
            companion=companion, ctx=ctx, answers=companion.answers, keys=companion.keys,
            feedback=companion.feedback, uploads=companion.uploads, limits=limits,
            origins=origins,
        )
        origins.bind(companion.keys.widget_origins)
        ctx.vectors.heartbeat()
        _ = ctx.retriever, ctx.verifier  # built now, not by two first requests at once
        ctx.embeddings.embed_query("warm up")
        services.model_ready = True
        return services
