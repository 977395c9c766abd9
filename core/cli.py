"""The ``rapport`` command line."""

from __future__ import annotations

import asyncio
import ipaddress
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

import click
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from rapport.core.config import SETTING_HELP, Settings, load_settings
from rapport.core.imports.cli import import_group
from rapport.core.plugins import PluginError, PluginHost, available_plugins, enabled_names
from rapport.core.runtime import Runtime

__all__ = ["main"]

T = TypeVar("T")

ENVIRONMENT_HELP = "\n".join(
    f"  RAPPORT_{name.upper():<22} {text}" for name, text in SETTING_HELP.items()
)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def _with_runtime(settings: Settings, action: Any) -> Any:
    runtime = Runtime.create(settings)
    try:
        await _reach(runtime)
        return await action(runtime)
    finally:
        await runtime.dispose()


async def _reach(runtime: Runtime) -> None:
    """Fail with one line naming the database when it cannot be reached, not a traceback."""
    try:
        async with runtime.engine.connect():
            pass
    except (OSError, SQLAlchemyError) as exc:
        where = make_url(runtime.settings.database_url).render_as_string(hide_password=True)
        reason = getattr(exc, "orig", None) or exc
        raise click.ClickException(f"cannot reach the database at {where}: {reason}") from exc


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_from_environment() -> Any:
    """Uvicorn factory for ``--workers`` > 1: each worker reads the same environment."""
    from rapport.core.app import create_app

    settings = load_settings()
    return create_app(settings, run_worker=settings.serve_worker)


class RapportGroup(click.Group):
    """The top-level group; enabled plugins add subcommands through ``register_commands``."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        try:
            host = PluginHost(load_settings())
        except (PluginError, ValueError):
            return {}  # reported when the command itself loads the settings
        commands: dict[str, click.Command] = {}
        for found in host.collect("register_commands"):
            command = found.item
            if command.name and command.name not in self.commands:
                commands[command.name] = command
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._plugin_commands().get(cmd_name)


@click.group(
    cls=RapportGroup,
    epilog="\b\nConfiguration (environment, or the same names in lower case in rapport.toml;"
    " RAPPORT_CONFIG names another file):\n" + ENVIRONMENT_HELP,
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Rapport: a headless CRM platform with a GraphQL API."""
    try:
        settings = load_settings()
        PluginHost(settings)
    except (PluginError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Create a `demo` workspace with sample data.")
@click.option(
    "--expose-demo",
    is_flag=True,
    help="Serve the demo on a non-loopback host although its page carries an admin key.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log a line per request (a proxy in front may log them already).",
)
@click.option(
    "--worker/--no-worker",
    "run_worker",
    default=None,
    help="Run the background jobs (webhooks, reminders) in the server process  "
    "[default: the serve_worker setting, true]; --no-worker when `rapport worker` runs apart.",
)
@click.pass_obj
def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    demo: bool,
    expose_demo: bool,
    access_log: bool,
    run_worker: bool | None,
) -> None:
    """Migrate the database if needed and serve the API (and, by default, run the jobs)."""
    import uvicorn

    if demo and not expose_demo and not _is_loopback(host):
        raise click.UsageError(
            f"--demo puts an admin key in the GraphiQL page; serving it on {host} would hand it "
            "to anyone who can reach the port. Use a loopback host, or --expose-demo."
        )

    async def prepare(runtime: Runtime) -> str | None:
        await runtime.migrate()
        if not demo:
            return None
        from rapport.core.demo import prepare_demo

        issued = await prepare_demo(runtime)
        return issued.key

    demo_key = _run(_with_runtime(settings, prepare))
    if demo_key:
        settings = settings.with_overrides(demo_key=demo_key)
        os.environ["RAPPORT_DEMO_KEY"] = demo_key
        click.echo(f"GraphiQL: http://{host}:{port}/graphql  (the demo key is filled in)")
        click.echo(f"Demo API key (workspace `demo`, role admin): {demo_key}")
    if run_worker is not None:
        settings = settings.with_overrides(serve_worker=run_worker)
        # Server processes started by uvicorn read the environment, not these settings.
        os.environ["RAPPORT_SERVE_WORKER"] = "true" if run_worker else "false"
    if workers > 1:
        uvicorn.run(
            "rapport.core.cli:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            timeout_keep_alive=settings.keep_alive_seconds,
            ws_ping_interval=settings.subscription_heartbeat_seconds,
        )
        return
    from rapport.core.app import create_app

    app = create_app(settings, run_worker=settings.serve_worker)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=access_log,
        timeout_keep_alive=settings.keep_alive_seconds,
        # Keep-alive for subscriptions: a client that stops answering pings is disconnected.
        ws_ping_interval=settings.subscription_heartbeat_seconds,
    )


@main.command()
@click.pass_obj
def migrate(settings: Settings) -> None:
    """Upgrade the database to the newest schema of core and every enabled plugin."""

    async def action(runtime: Runtime) -> None:
        await runtime.migrate()

    _run(_with_runtime(settings, action))
    click.echo("database is up to date")


@main.command("makemigration")
@click.argument("branch")
@click.argument("message")
@click.pass_obj
def make_migration(settings: Settings, branch: str, message: str) -> None:
    """Autogenerate the next migration of BRANCH (core or a plugin) from its models."""
    from rapport.core.migrate import make_revision

    try:
        _run(make_revision(PluginHost(settings), branch, message))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def workspace() -> None:
    """Manage workspaces (tenants)."""


@workspace.command("create")
@click.argument("name")
@click.pass_obj
def workspace_create(settings: Settings, name: str) -> None:
    """Create the workspace NAME."""
    from rapport.core.workspaces import WorkspaceError, create_workspace

    async def action(runtime: Runtime) -> Any:
        await runtime.migrate()
        return await create_workspace(runtime, name)

    try:
        created = _run(_with_runtime(settings, action))
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created workspace {created.name} ({created.id})")


@main.group()
def apikey() -> None:
    """Manage API keys."""


@apikey.command("create")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name.")
@click.option("--role", default="admin", show_default=True)
@click.option("--email", default=None, help="User the key acts as (created if new).")
@click.option("--name", default="cli", show_default=True, help="A label for the key.")
@click.pass_obj
def apikey_create(
    settings: Settings, workspace_name: str, role: str, email: str | None, name: str
) -> None:
    """Create an API key; the key is printed once, as the last line."""
    from rapport.core.workspaces import WorkspaceError, create_api_key

    async def action(runtime: Runtime) -> Any:
        await runtime.migrate()
        return await create_api_key(runtime, workspace_name, role=role, email=email, name=name)

    try:
        issued = _run(_with_runtime(settings, action))
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key {issued.record.prefix}… for role {issued.record.role}; store it now:")
    click.echo(issued.key)


@main.command()
@click.pass_obj
def plugins(settings: Settings) -> None:
    """List enabled and available plugins with their versions."""
    host = PluginHost(settings)
    enabled = set(enabled_names(settings))
    for name in host.order:
        info = host.infos[name]
        state = "foundation" if name in ("core", "graphql") else "enabled"
        click.echo(f"{name:<12} {info.version:<10} {state:<11} {info.description}")
    for name in sorted(set(available_plugins()) - enabled):
        click.echo(f"{name:<12} {'-':<10} {'available':<11}")


@main.command()
@click.option("--once", is_flag=True, help="Run every due job once, then exit.")
@click.pass_obj
def worker(settings: Settings, once: bool) -> None:
    """Run background jobs (webhook delivery, scheduled plugin jobs)."""
    from rapport.core.worker import run_worker

    _run(_with_runtime(settings, lambda runtime: run_worker(runtime, once=once)))


main.add_command(import_group)


if __name__ == "__main__":  # pragma: no cover
    main()
