"""ASGI middleware: request body limits and CORS for the origins of active widget keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from companion.auth.keys import normalise_origin
from companion.core.errors import InputError
from companion.faces.api.problems import problem

CORS_METHODS = "GET, POST, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, X-API-Key, Accept"


class RequestTooLarge(HTTPException):
    """A request body over the limit (an HTTPException so body parsing re-raises it as is)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class BodyLimitMiddleware:
    """Refuses bodies over a limit: by `Content-Length` before the app runs, else while streaming.

    The rest of a refused body is read and dropped (never kept) before the 413 goes out: a
    client that sent `Connection: close` would otherwise see the connection reset instead of
    the answer. Bodies declared larger than `DRAIN_LIMIT` are not drained.

    Args:
        app: the wrapped app.
        limit_for: the byte limit for a request (uploads get a larger one).
    """

    DRAIN_LIMIT = 64 * 1024 * 1024

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body counted, or answer 413."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            if int(declared) <= self.DRAIN_LIMIT:
                await _drain(receive, self.DRAIN_LIMIT)
            await _send_too_large(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if message.get("more_body", False):
                        await _drain(receive, self.DRAIN_LIMIT)
                    raise RequestTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if started:
                raise
            await _send_too_large(scope, receive, send, limit)


async def _drain(receive: Receive, limit: int) -> None:
    """Read and drop the rest of a request body (up to `limit` bytes)."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _send_too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem(413, RequestTooLarge(limit).detail, scope.get("path"))
    await response(scope, receive, send)


class WidgetCorsMiddleware:
    """CORS that answers only origins some active widget key allows.

    Preflights from those origins get a 204 with the allowed methods and headers; from any
    other origin a 403 problem without `Access-Control-Allow-Origin`, so browsers refuse.

    Args:
        app: the wrapped app.
        allowed_origins: the current allow-list (may be cached briefly by the caller).
    """

    def __init__(
        self, app: ASGIApp, allowed_origins: Callable[[], Awaitable[frozenset[str]]]
    ) -> None:
        self.app = app
        self.allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer preflights; add CORS headers to responses for allowed origins."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = await self._is_allowed(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin, allowed)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = "Retry-After"
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _is_allowed(self, origin: str) -> bool:
        try:
            normalised = normalise_origin(origin)
        except InputError:
            return False
        return normalised in await self.allowed_origins()

    @staticmethod
    async def _preflight(
        scope: Scope, receive: Receive, send: Send, origin: str, allowed: bool
    ) -> None:
        response: Response
        if allowed:
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": CORS_METHODS,
                    "Access-Control-Allow-Headers": CORS_HEADERS,
                    "Access-Control-Max-Age": "600",
                    "Vary": "Origin",
                },
            )
        else:
            response = problem(
                403, f"origin {origin} is not allowed by any widget key", scope.get("path"),
                headers={"Vary": "Origin"},
            )
        await response(scope, receive, send)
