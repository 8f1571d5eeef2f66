"""The HTTP service: `create_app(settings)` builds the FastAPI app."""

from companion.faces.api.app import create_app

__all__ = ["create_app"]
