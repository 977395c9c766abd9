"""Settings, read from the environment and an optional TOML file.

Every setting has an environment variable ``RAPPORT_<NAME>``; a config file (``rapport.toml`` in
the working directory, or the path in ``RAPPORT_CONFIG``) may set the same names in lower case.
The environment wins over the file, and the file over the defaults, so a deployment can keep
its stable choices in a file and override one of them per process.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["SETTING_HELP", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///rapport.db"

# One line of help per setting; `rapport --help` prints these.
SETTING_HELP: dict[str, str] = {
    "database_url": "SQLAlchemy URL; sqlite+aiosqlite:///file.db or postgresql+asyncpg://...",
    "plugins": "comma-separated plugins to enable (default: every built-in; 'none': none)",
    "max_depth": "deepest selection set an operation may nest",
    "max_aliases": "most aliases one operation may use",
    "max_tokens": "most lexical tokens one operation document may have",
    "max_cost": "cost budget of one operation (each field 1, lists weighted by page size)",
    "max_page_size": "largest `first`/`last` a connection accepts",
    "list_cost": "items a plain list (one without `first`/`last`) counts for in the cost budget",
    "default_page_size": "page size when a connection is given neither `first` nor `last`",
    "max_body_bytes": "largest request body /graphql accepts, in bytes",
    "demo_key": "API key that GraphiQL pre-fills in demo mode (set by `serve --demo`)",
    "webhook_timeout": "seconds a webhook delivery may take",
    "webhook_allowed_networks": "internal networks webhooks may reach (CIDR, comma-separated)",
    "statement_timeout": "seconds one SQL statement may run on PostgreSQL (0: no limit)",
    "auth_failures_per_minute": "unknown keys one client address may present a minute (0: any)",
    "metrics_token": "bearer token a metrics scraper may use instead of an API key",
    "compiled_reads": "answer queries with one SQL statement that builds the JSON (true/false)",
    "idempotency_hours": "how long the response of a write sent with an Idempotency-Key is kept",
    "idempotency_claim_seconds": "after how long a retry may take over a key whose request died",
    "requests_per_minute_per_key": "requests one API key may send a minute, per process (0: any)",
    "requests_per_minute_per_workspace": "requests one workspace may send a minute (0: any)",
    "trace_plugins": "log every hook call: plugin, hook, time taken (true/false)",
    "keep_alive_seconds": "seconds `serve` keeps an idle HTTP connection open for a next request",
    "default_phone_region": "region phone numbers without +country code are read in (GB, US...)",
    "cors_origins": "browser origins that may call and subscribe (comma-separated; `*`: any)",
    "serve_worker": "run the background jobs in `rapport serve` (false: `rapport worker` apart)",
    "outbox_retention_hours": "how long delivered webhook deliveries are kept before pruning",
    "event_log_retention_hours": "how long committed events are kept for subscribers to read",
    "subscriptions_per_connection": "most subscriptions one WebSocket connection may hold",
    "subscriptions_per_key": "most subscriptions one API key may hold in one process",
    "subscription_queue_size": "events buffered for one subscriber before it is dropped as slow",
    "subscription_init_seconds": "how long a WebSocket may wait before sending connection_init",
    "subscription_heartbeat_seconds": "seconds between keep-alive pings on subscriptions",
    "subscription_idle_seconds": "seconds a WebSocket may hold no subscription before it is closed",
}


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Empty means every built-in plugin; "none" enables none.
    plugins: tuple[str, ...] = ()
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_cost: int = 50_000
    max_page_size: int = 100
    list_cost: int = 5
    default_page_size: int = 20
    max_body_bytes: int = 2_000_000
    demo_key: str | None = None
    webhook_timeout: float = 5.0
    webhook_allowed_networks: tuple[str, ...] = ()
    metrics_token: str = ""
    auth_failures_per_minute: int = 30
    statement_timeout: float = 30.0
    compiled_reads: bool = True
    trace_plugins: bool = False
    default_phone_region: str = ""
    requests_per_minute_per_key: int = 0
    requests_per_minute_per_workspace: int = 0
    idempotency_hours: float = 24.0
    idempotency_claim_seconds: float = 120.0
    # Longer than clients and load balancers keep idle connections (httpx 5 s, AWS ALB 60 s), so
    # the client closes first: a server closing a connection just as a request is sent on it
    # makes that request fail with nothing to show why.
    keep_alive_seconds: int = 75
    # Off unless named: a browser page of another origin may not call the API.
    cors_origins: tuple[str, ...] = ()
    serve_worker: bool = True
    outbox_retention_hours: float = 168.0
    event_log_retention_hours: float = 1.0
    subscriptions_per_connection: int = 20
    subscriptions_per_key: int = 100
    subscription_queue_size: int = 100
    subscription_init_seconds: float = 10.0
    subscription_heartbeat_seconds: float = 15.0
    subscription_idle_seconds: float = 300.0
    extra: dict[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        return _split_names(raw) if isinstance(raw, str) else tuple(raw)
    if isinstance(default, bool):
        return str(raw).lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"setting {name}: expected a whole number, got {raw!r}") from exc
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(
    environ: dict[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Settings from defaults, then the config file, then ``RAPPORT_*`` variables."""
    env = dict(os.environ if environ is None else environ)
    path = config_file or Path(env.get("RAPPORT_CONFIG", "rapport.toml"))
    from_file: dict[str, Any] = {}
    if path.is_file():
        with path.open("rb") as handle:
            from_file = tomllib.load(handle)
    defaults = Settings()
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Settings) if f.name != "extra"}
    for name in known:
        default = getattr(defaults, name)
        if name in from_file:
            values[name] = _coerce(name, from_file[name], default)
        env_value = env.get(f"RAPPORT_{name.upper()}")
        if env_value is not None:
            values[name] = _coerce(name, env_value, default)
    extra = {key: value for key, value in from_file.items() if key not in known}
    return Settings(**values, extra=extra)
