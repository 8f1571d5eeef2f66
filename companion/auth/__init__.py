"""API keys (hashed, scoped, origin-bound) and in-memory rate limits."""

from companion.auth.keys import ApiKey, CreatedKey, KeyStore, Scope, normalise_origin
from companion.auth.ratelimit import RateLimitedError, TokenBuckets

__all__ = [
    "ApiKey",
    "CreatedKey",
    "KeyStore",
    "RateLimitedError",
    "Scope",
    "TokenBuckets",
    "normalise_origin",
]
