"""Helpers shared by the API tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from companion.auth.keys import KeyStore
from companion.retrieval.context import Context

ORIGIN = "https://intranet.example"


@dataclass
class Api:
    """A running app with an admin and a widget key."""

    client: TestClient
    ctx: Context
    admin: str
    widget: str
    keys: KeyStore

    def admin_headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}", **extra}

    def widget_headers(self, origin: str = ORIGIN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.widget}", "Origin": origin, **extra}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 7807 problem with this status and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in response.text
    return body
