"""RFC 7807 problem responses: every error the service sends is `application/problem+json`."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from companion.core.errors import CompanionError

log = logging.getLogger("companion.faces.api")

PROBLEM_JSON = "application/problem+json"


def _slug(name: str) -> str:
    name = name.removesuffix("Error") or name
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status: int,
    detail: str,
    instance: str | None = None,
    title: str | None = None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def companion_error_response(exc: CompanionError, instance: str | None) -> JSONResponse:
    """The problem for a `CompanionError` (its `.status`, `.title`, `.detail`)."""
    return problem(
        exc.status, exc.detail, instance, title=exc.title,
        type_=f"urn:companion:problem:{_slug(type(exc).__name__)}",
        headers=getattr(exc, "headers", None),
    )


async def _companion_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CompanionError)
    return companion_error_response(exc, request.url.path)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    if detail == phrase:  # Starlette's own 404/405 say nothing more than the title
        if exc.status_code == 404:
            detail = f"nothing at {request.url.path}; see /docs for the API"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
    return problem(exc.status_code, detail, request.url.path, headers=exc.headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": _location(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors) or "the request is not valid"
    return problem(
        422, detail, request.url.path, title="Invalid request",
        type_="urn:companion:problem:validation", errors=errors,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500, "the companion hit an unexpected error; it has been logged", request.url.path
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Map every kind of error to a problem+json response (tracebacks stay in the log)."""
    app.add_exception_handler(CompanionError, _companion_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)


class Problem(BaseModel):
    """An RFC 7807 error body (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# What every endpoint may answer besides success, as OpenAPI documents it.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("no key, or a key that is not valid or was revoked"),
    403: _documented("the key's scope or origin does not allow this, or a link expired"),
    404: _documented("no such session, tip, person or key"),
    413: _documented("the request body is larger than the limit"),
    422: _documented("the request is not valid (which field, and why)"),
    429: _documented("too many requests; retry after `Retry-After` seconds"),
}
