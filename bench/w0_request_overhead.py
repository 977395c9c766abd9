"""W0: the fixed cost of one authenticated GraphQL request, over real HTTP.

Rapport answers ``{ viewer { role } }`` (auth, parse/validation caches, limits, a tenant
session) and ``customers(first: 20)``; the baseline is a bare Starlette endpoint returning the
same JSON bytes from the same uvicorn set-up, i.e. the cost of HTTP alone.

    .venv/bin/python bench/w0_request_overhead.py [--seconds 10] [--concurrency 8]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from http_load import PYTHON, free_port, rss_mb, run_load, server_process

from rapport.core.config import Settings
from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_api_key, create_workspace

VIEWER = "{ viewer { role } }"
LIST = "{ customers(first: 20) { edges { node { id displayName lifecycleStatus } } } }"
BASELINE_APP = """
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
BODY = b'{"data":{"viewer":{"role":"admin"}}}'
async def endpoint(request):
    await request.body()
    return Response(BODY, media_type="application/json")
async def health(request):
    return Response(b"ok")
app = Starlette(routes=[Route("/graphql", endpoint, methods=["POST"]), Route("/healthz", health)])
"""


async def prepare(database_url: str) -> str:
    runtime = Runtime.create(Settings(database_url=database_url))
    await runtime.migrate()
    name = f"bench-w0-{free_port()}"
    await create_workspace(runtime, name)
    issued = await create_api_key(runtime, name, role="admin")

    async with (
        tenant_session(runtime.sessions, issued.record.workspace_id) as session,
        session.begin(),
    ):
        session.add_all(
            Customer(
                workspace_id=issued.record.workspace_id,
                kind="person",
                display_name=f"Customer {i:03d}",
                last_name=f"Customer {i:03d}",
            )
            for i in range(50)
        )
    await runtime.dispose()
    return issued.key


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    load = {"seconds": args.seconds, "concurrency": args.concurrency}
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'w0.db'}"
        key = asyncio.run(prepare(url))
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}/graphql"
        print(f"W0 request overhead  database={url.split(':')[0]}  concurrency={args.concurrency}")
        serve = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port)]
        with server_process(serve, {"RAPPORT_DATABASE_URL": url}, port) as server:
            viewer = run_load(endpoint, json.dumps({"query": VIEWER}), auth=key, **load)
            listing = run_load(endpoint, json.dumps({"query": LIST}), auth=key, **load)
            memory = rss_mb(server.pid)
        Path(folder, "baseline_app.py").write_text(BASELINE_APP)
        port = free_port()
        plain = [
            PYTHON,
            "-m",
            "uvicorn",
            "--app-dir",
            folder,
            "baseline_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        with server_process(plain, {}, port):
            endpoint = f"http://127.0.0.1:{port}/graphql"
            baseline = run_load(endpoint, json.dumps({"query": VIEWER}), **load)
    print(baseline.line("baseline: bare Starlette"))
    print(viewer.line("rapport { viewer { role } }"))
    print(listing.line("rapport customers(first: 20)"))
    print(
        f"ratio viewer/baseline throughput: {viewer.rps / baseline.rps:.2f}"
        f"   (p50 {viewer.p50_ms / baseline.p50_ms:.1f}x the baseline's latency)"
    )
    print(f"server RSS after the run: {memory:.0f} MB")


if __name__ == "__main__":
    main()
