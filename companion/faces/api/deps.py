"""Dependency aliases for routers: `CtxDep`, `AdminKey`, `WidgetOrAdminKey`...

Routers (including the optional tips, peers and summaries routers) take what they need as
parameters, e.g. `def list_tips(ctx: CtxDep, key: ReaderKey)`. Every alias that names a key
authenticates the request, checks the per-address and per-key rate limits, and for widget
keys checks the `Origin`:

- `AdminKey`: admin keys only (widget keys get 403).
- `WidgetOrAdminKey` (alias `ReaderKey`): either scope; for what widget keys may do: ask, read
  tips, give feedback, suggest peers. Widget keys never see private (no-consent) sessions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from companion.app import Companion
from companion.auth.citation_links import CitationLinks
from companion.auth.keys import ApiKey, Scope
from companion.auth.proxies import client_address as proxied_client
from companion.core.errors import AuthError, ForbiddenError
from companion.faces.api.state import Services
from companion.features.ask.service import AnswerService
from companion.features.insights.service import InsightsService
from companion.features.loop.service import LoopService
from companion.features.peers.service import PeerService
from companion.features.people.directory import PeopleDirectory
from companion.features.privacy.service import PrivacyService
from companion.features.summaries.service import SummaryService
from companion.features.tips.feature import TipService
from companion.retrieval.context import Context


async def get_services(request: Request) -> Services:
    """The app's services (opened by its lifespan)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_context(services: ServicesDep) -> Context:
    """The app's one `Context`."""
    return services.ctx


CtxDep = Annotated[Context, Depends(get_context)]


async def get_answers(services: ServicesDep) -> AnswerService:
    """The answer service."""
    return services.answers


AnswersDep = Annotated[AnswerService, Depends(get_answers)]


async def get_companion(services: ServicesDep) -> Companion:
    """The composition root the app was built from."""
    return services.companion


CompanionDep = Annotated[Companion, Depends(get_companion)]


async def get_tips(services: ServicesDep) -> TipService:
    """The tips service."""
    return services.companion.tips


TipsDep = Annotated[TipService, Depends(get_tips)]


async def get_peers(services: ServicesDep) -> PeerService:
    """The peers service."""
    return services.companion.peers


PeersDep = Annotated[PeerService, Depends(get_peers)]


async def get_summaries(services: ServicesDep) -> SummaryService:
    """The summaries service."""
    return services.companion.summaries


SummariesDep = Annotated[SummaryService, Depends(get_summaries)]


async def get_people(services: ServicesDep) -> PeopleDirectory:
    """The people directory."""
    return services.companion.people


PeopleDep = Annotated[PeopleDirectory, Depends(get_people)]


async def get_privacy(services: ServicesDep) -> PrivacyService:
    """Forget, retention, export and import."""
    return services.companion.privacy


PrivacyDep = Annotated[PrivacyService, Depends(get_privacy)]


async def get_insights(services: ServicesDep) -> InsightsService:
    """The learner-question log."""
    return services.companion.insights


InsightsDep = Annotated[InsightsService, Depends(get_insights)]


async def get_loop(services: ServicesDep) -> LoopService:
    """The learning loop: tries, outcomes, reflections, impact."""
    return services.companion.loop


LoopDep = Annotated[LoopService, Depends(get_loop)]


class KeyRequiredError(AuthError):
    """A missing, unknown or revoked key (401, asking for a bearer key)."""

    headers = {"WWW-Authenticate": "Bearer"}


def client_address(request: Request) -> str:
    """The caller's address: the peer, or behind a trusted proxy the forwarded client.

    Only proxies named in `api.trusted_proxies` are believed; by default nobody is, so a
    client cannot pick its own address with `X-Forwarded-For`.
    """
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.services.limits.trusted_proxies
    return proxied_client(peer, request.headers.get("x-forwarded-for"), trusted)


async def limit_address(request: Request, services: ServicesDep) -> None:
    """The per-address rate limit alone: for public pages that take no key."""
    services.limits.per_address.check(client_address(request), "address")


PublicLimit = Depends(limit_address)


def presented_key(request: Request) -> str | None:
    """The key from `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key", "").strip() or None


# Declared so OpenAPI shows the schemes (and /docs an Authorize button); `presented_key` reads them.
bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="API key", description="an admin or widget key: lc_..."
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="the same key, in a header"
)


def request_origin(request: Request) -> str | None:
    """The origin a request comes from.

    Browsers send `Origin` on every cross-origin request, but not on a same-origin GET: then
    the page's origin is this server's own (scheme and `Host`), unless `Sec-Fetch-Site` says
    the request came from another site. A widget key still has to list that origin.
    """
    origin = request.headers.get("origin")
    if origin is not None:
        return origin
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return None
    host = request.headers.get("host")
    return f"{request.url.scheme}://{host}" if host else None


def authenticate(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
    header_key: Annotated[str | None, Security(api_key_scheme)] = None,
) -> ApiKey:
    """The request's active API key, within its rate limits and, for widget keys, its origins."""
    services.limits.per_address.check(client_address(request), "address")
    raw = presented_key(request)
    if raw is None:
        raise KeyRequiredError("no API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
    key = services.keys.authenticate(raw)
    if key is None:
        raise KeyRequiredError("the API key is not valid or has been revoked")
    if key.scope is Scope.widget:
        origin = request_origin(request)
        if not key.allows_origin(origin):
            shown = f"origin {origin}" if origin else "a request without an Origin header"
            raise ForbiddenError(f"this widget key is not allowed from {shown}")
    services.limits.per_key.check(key.id, "key")
    request.state.api_key = key
    return key


WidgetOrAdminKey = Annotated[ApiKey, Depends(authenticate)]
ReaderKey = WidgetOrAdminKey


def require_admin(key: WidgetOrAdminKey) -> ApiKey:
    """The request's key, which must be an admin key."""
    if not key.is_admin:
        raise ForbiddenError(
            "this endpoint needs an admin key; widget keys may only ask, read tips, "
            "give feedback and suggest peers"
        )
    return key


AdminKey = Annotated[ApiKey, Depends(require_admin)]


def base_url(request: Request) -> str:
    """The server's address as the client reached it (for absolute links)."""
    return str(request.base_url).rstrip("/")


def citation_links(request: Request, services: ServicesDep, key: WidgetOrAdminKey) -> CitationLinks:
    """Transcript links for the request's key: signed, private sessions for admins only."""
    return services.companion.citation_links(key.is_admin, base_url(request))


LinksDep = Annotated[CitationLinks, Depends(citation_links)]


def public_links(services: ServicesDep) -> CitationLinks:
    """Transcript links for public pages (tip permalinks): what a widget reader may open."""
    return services.companion.citation_links(admin=False)


PublicLinksDep = Annotated[CitationLinks, Depends(public_links)]
