"""The ASGI application: health, readiness, metrics, and the routes plugins contribute.

The GraphQL endpoint itself is contributed by the ``graphql`` foundation plugin, which keeps
this module free of any GraphQL knowledge.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from types import ModuleType

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapport.core.auth import authenticate
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.worker import run_jobs

__all__ = ["create_app"]


class Metrics:
    """Per-app Prometheus registry, so two apps in one process never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rapport_http_requests_total",
            "HTTP requests",
            ["path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "rapport_http_request_seconds", "HTTP request latency", ["path"], registry=self.registry
        )


class MetricsMiddleware:
    """Counts and times every HTTP request (pure ASGI: no per-request task overhead)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, known_paths: set[str]) -> None:
        self.app, self.metrics, self.known_paths = app, metrics, known_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            # Unknown paths share one label so scanners cannot blow up the label space.
            path = scope["path"] if scope["path"] in self.known_paths else "other"
            self.metrics.latency.labels(path).observe(time.perf_counter() - start)
            self.metrics.requests.labels(path, str(status)).inc()


# What a browser client sends beyond the simple headers: its key, the body's type, a retry key.
CORS_HEADERS = ("Authorization", "Content-Type", "Accept", "Idempotency-Key")
# What it may read of an answer beyond the simple headers.
CORS_EXPOSED = ("Retry-After", "Idempotent-Replayed", "WWW-Authenticate")
CORS_MAX_AGE_SECONDS = 600


def _cors(origins: tuple[str, ...]) -> Middleware:
    """Cross-origin calls from the configured browser origins, preflight answered.

    Keys travel in the ``Authorization`` header, never in cookies, so credentials stay off.
    """
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=list(CORS_HEADERS),
        expose_headers=list(CORS_EXPOSED),
        max_age=CORS_MAX_AGE_SECONDS,
    )


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    extra_plugins: Iterable[ModuleType] = (),
    migrate_on_startup: bool = False,
    run_worker: bool = False,
) -> Starlette:
    """The app; with ``run_worker`` it also runs the background jobs while it serves."""
    runtime = runtime or Runtime.create(settings, extra_plugins)
    metrics = Metrics()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready; say which
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        return JSONResponse({"status": "ready"})

    async def metrics_endpoint(request: Request) -> Response:
        # Request counts and latencies are for operators: a key, or the scraper's own token.
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        token = runtime.settings.metrics_token
        allowed = scheme.lower() == "bearer" and (
            (bool(token) and secrets.compare_digest(credential, token))
            or await authenticate(runtime.sessions, credential, runtime.roles) is not None
        )
        if not allowed:
            return PlainTextResponse(
                "metrics need an API key or the metrics token", 401, {"WWW-Authenticate": "Bearer"}
            )
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
    routes.extend(found.item for found in runtime.host.collect("register_routes", runtime=runtime))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if migrate_on_startup:
            await runtime.migrate()
        jobs = asyncio.create_task(run_jobs(runtime)) if run_worker else None
        try:
            yield
        finally:
            if jobs is not None:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            await runtime.dispose()

    known = {getattr(route, "path", "") for route in routes}
    middleware = [Middleware(MetricsMiddleware, metrics=metrics, known_paths=known)]
    if runtime.settings.cors_origins:
        middleware.append(_cors(runtime.settings.cors_origins))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.runtime = runtime
    return app
