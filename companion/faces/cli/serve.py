"""`companion serve`: the HTTP API and the widget."""

from __future__ import annotations

from typing import Annotated

import typer

from companion.faces.cli import app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="worker processes (rate limits are per worker)")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the API (docs at /docs), /widget.js and a /demo page."""
    import uvicorn

    from companion.core.settings import Settings

    # Proxy headers only from the proxies named in COMPANION_API__TRUSTED_PROXIES (default
    # none): uvicorn otherwise believes X-Forwarded-For from any loopback client.
    trusted = Settings().api.trusted_proxies
    uvicorn.run(
        "companion.faces.api.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level=log_level, proxy_headers=bool(trusted),
        forwarded_allow_ips=",".join(trusted) if trusted else None,
    )
