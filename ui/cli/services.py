"""`footnote serve`, `footnote keys ...` and `footnote ui`: the service surfaces' commands (FastAPI
and Streamlit load only inside them)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ui.cli.options import examples
from ui.cli.root import CONTEXT, app_of, config_file_of, overrides_of


@click.command(
    context_settings=CONTEXT,
    epilog=examples(
        "footnote serve",
        "footnote serve --host 0.0.0.0 --port 8080",
        "footnote keys create --name support-bot --collection public",
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Run the HTTP API (OpenAPI docs at /docs); create keys with `footnote keys create`."""
    from ui.api.app import serve as run

    run(app_of(ctx), host, port)


@click.group(
    context_settings=CONTEXT,
    epilog=examples("footnote keys create --name bot --collection public", "footnote keys list"),
)
def keys() -> None:
    """API keys for `footnote serve`: create (the secret is printed once), list, revoke."""


@keys.command(
    "create",
    epilog=examples(
        "footnote keys create --name support-bot --collection public",
        "footnote keys create --name staff-bot --collection public --collection staff",
        "footnote keys create --name ops --collection default --role admin --rate 600",
    ),
)
@click.option("--name", required=True, help="who uses the key, e.g. support-bot")
@click.option(
    "--collection", "collections", multiple=True, required=True, help="collection it may use"
)
@click.option(
    "--role",
    type=click.Choice(["ask", "admin"]),
    default="ask",
    show_default=True,
    help="ask: questions and feedback; admin: also ingestion jobs and deletions",
)
@click.option("--rate", default=60, show_default=True, type=int, help="requests per minute")
@click.pass_context
def keys_create(ctx, name: str, collections: tuple[str, ...], role: str, rate: int) -> None:
    """Create a key scoped to collections and a role; its secret is printed once (only a hash
    is stored)."""
    key, token = app_of(ctx).store.keys.create(name, role, list(collections), rate)
    click.echo(f"created key {key.id} ({key.role}; collections {', '.join(key.collections)})")
    click.echo("Store this secret now; it is not shown again:")
    click.echo(token)


@keys.command("list", epilog=examples("footnote keys list"))
@click.pass_context
def keys_list(ctx) -> None:
    """Every key: id, name, role, state, rate limit and collections (never the secret)."""
    for row in app_of(ctx).store.keys.list():
        state = "revoked" if row["revoked"] else "active"
        click.echo(
            f"{row['id']}  {row['name']:20} {row['role']:6} {state:8} "
            f"{row['rate_per_minute']}/min  {','.join(row['collections'])}"
        )


@keys.command("revoke", epilog=examples("footnote keys revoke 3f2a9c"))
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx, key_id: str) -> None:
    """Revoke the key KEY_ID (`footnote keys list` shows ids); requests with it then fail."""
    app_of(ctx).store.keys.revoke(key_id)
    click.echo(f"revoked {key_id}")


@click.command(
    "ui",
    context_settings={**CONTEXT, "ignore_unknown_options": True, "allow_extra_args": True},
    epilog=examples("footnote ui", "footnote ui --server.port 8502 --server.headless true"),
)
@click.pass_context
def ui_command(ctx: click.Context) -> None:
    """Start the web app (Streamlit); Streamlit options such as --server.port pass through.

    The process becomes the Streamlit server (exec), so a signal that stops `footnote ui`
    stops the server and frees its port."""
    overrides = {k: v for k, v in overrides_of(ctx).items() if v is not None}
    env = dict(os.environ, FOOTNOTE_UI_OVERRIDES=json.dumps(overrides))
    if config_file_of(ctx):
        env["FOOTNOTE_CONFIG"] = config_file_of(ctx)
    app_file = Path(__file__).parent.parent / "web" / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app_file), *ctx.args]
    command += ["--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)
