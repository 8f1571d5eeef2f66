"""`companion keys create | list | revoke`: API keys for the HTTP service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from companion.faces.cli import app
from companion.faces.cli.common import open_companion, print_json

if TYPE_CHECKING:
    from companion.auth.keys import KeyStore

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _audit(action: str, key_id: str, detail: dict[str, object]) -> None:
    from ingest.audit import AuditLog, cli_actor

    AuditLog(open_companion().ctx.catalog).record(cli_actor(), action, f"key:{key_id}", detail)


def _store() -> KeyStore:

    return open_companion().keys


@keys_app.command("create")
def create(
    scope: Annotated[
        str, typer.Option(help="admin (everything) or widget (ask, tips, feedback, peers)")
    ],
    origin: Annotated[
        list[str] | None,
        typer.Option("--origin", help="site allowed to use a widget key; repeat for several"),
    ] = None,
    name: Annotated[str | None, typer.Option(help="what the key is for")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Create a key. Its secret is printed once: store it now."""
    created = _store().create(scope, origin or [], name)
    _audit("key.created", created.id,
           {"scope": created.scope.value, "origins": created.origins, "name": created.name})
    if json_out:
        print_json(created)
        return
    typer.echo(f"created {created.scope.value} key {created.id}"
               + (f" for {', '.join(created.origins)}" if created.origins else ""))
    typer.echo(f"key: {created.key}")
    typer.echo("this is the only time the key is shown")


@keys_app.command("list")
def list_keys(json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Every key (the secrets are not stored, so they are never shown)."""
    keys = _store().list()
    if json_out:
        print_json([k.model_dump(mode="json") for k in keys])
        return
    if not keys:
        typer.echo("no keys yet: run `companion keys create --scope admin`")
    for k in keys:
        state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
        origins = " ".join(k.origins)
        typer.echo(f"{k.id:17} {k.scope.value:7} {state:30} {k.name or '':20} {origins}")


@keys_app.command("revoke")
def revoke(key_id: str) -> None:
    """Revoke a key; requests with it fail at once."""
    key = _store().revoke(key_id)
    _audit("key.revoked", key.id, {"scope": key.scope.value})
    typer.echo(f"revoked {key.id} at {key.revoked_at}")
