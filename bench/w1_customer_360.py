"""W1, the customer 360 page: one GraphQL request for 100 customers with their contact points,
relationships and last five interactions, over real HTTP, beside the same data fetched by one
hand-written SQL query (the floor no API layer can beat).

    python bench/w1_customer_360.py                       # PostgreSQL, 20k customers
    python bench/w1_customer_360.py --customers 2000 --requests 100
    python bench/w1_customer_360.py --database-url sqlite+aiosqlite:///w1.db   # no floor

The data set (customers, ~3 contact points and ~25 interactions each, households and
employers) is made once per database and size and reused by later runs. The server is uvicorn,
started in this process on a free loopback port, so the SQL statements of one request can be
counted on the engine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import uvicorn
from http_load import PYTHON, free_port, run_load, server_process
from sqlalchemy import event, func, select, text

from rapport.core.app import create_app
from rapport.core.auth import find_workspace
from rapport.core.config import Settings
from rapport.core.demo_data import DemoSize, build_rows, insert_rows
from rapport.core.models import ContactPoint, Customer, Interaction, User
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.workspaces import create_api_key, create_workspace

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_bench"
CHUNK = 2000  # customers built and inserted at a time, to keep memory flat
# The generator's mean before rounding down and capping; ~25 per customer end up stored.
INTERACTIONS_PER_CUSTOMER = 26.5
SEED = 1

QUERY = """
query W1 {
  customers(first: 100) {
    edges { node {
      id displayName kind
      contactPoints { kind value isPrimary }
      relationships { type label direction role other { id displayName } }
      recentInteractions(last: 5) { id kind occurredAt subject }
    } }
  }
}
"""

# The same page in one statement: what the database alone needs.
FLOOR = """
SELECT json_agg(page ORDER BY page.created_at, page.id) FROM (
  SELECT c.id, c.display_name, c.kind, c.created_at,
    (SELECT coalesce(json_agg(json_build_object(
              'kind', p.kind, 'value', p.value, 'isPrimary', p.is_primary)
              ORDER BY p.is_primary DESC, p.created_at, p.id), '[]')
       FROM contact_points p
      WHERE p.workspace_id = $1 AND p.customer_id = c.id) AS contact_points,
    (SELECT coalesce(json_agg(json_build_object(
              'type', r.type_key, 'role', r.role,
              'direction', CASE WHEN r.from_customer_id = c.id THEN 'OUTGOING' ELSE 'INCOMING' END,
              'other', json_build_object('id', o.id, 'displayName', o.display_name))
              ORDER BY r.created_at, r.id), '[]')
       FROM relationships r
       JOIN customers o ON o.workspace_id = r.workspace_id
        AND o.id = CASE WHEN r.from_customer_id = c.id THEN r.to_customer_id
                        ELSE r.from_customer_id END
      WHERE r.workspace_id = $1
        AND (r.from_customer_id = c.id OR r.to_customer_id = c.id)) AS relationships,
    (SELECT coalesce(json_agg(json_build_object(
              'id', i.id, 'kind', i.kind, 'occurredAt', i.occurred_at, 'subject', i.subject)
              ORDER BY i.occurred_at DESC, i.id DESC), '[]')
       FROM LATERAL (
         SELECT * FROM interactions i
          WHERE i.workspace_id = $1 AND i.customer_id = c.id AND i.deleted_at IS NULL
          ORDER BY i.occurred_at DESC, i.id DESC LIMIT 5) i) AS recent_interactions
  FROM customers c
  WHERE c.workspace_id = $1 AND c.deleted_at IS NULL
  ORDER BY c.created_at, c.id
  LIMIT 100
) page
"""


async def ensure_postgres_database(url: str) -> None:
    """Create the database in ``url`` when the server does not have it yet."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(plain)
    except asyncpg.InvalidCatalogNameError:
        base, name = plain.rsplit("/", 1)
        admin = await asyncpg.connect(f"{base}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        return
    await connection.close()


async def seed(runtime: Runtime, name: str, customers: int) -> uuid.UUID:
    """The workspace ``name`` holding ``customers`` customers, made and filled on first use."""
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, name)
    if workspace is not None:
        print(f"reusing workspace {name}")
        return workspace.id
    workspace = await create_workspace(runtime, name)
    await create_api_key(runtime, name, role="admin", email="owner@bench.example")
    rng = random.Random(SEED)
    today = datetime.now(UTC).date()
    async with tenant_session(runtime.sessions, workspace.id) as session:
        owners = list((await session.execute(select(User.id))).scalars())
    started = time.perf_counter()
    for offset in range(0, customers, CHUNK):
        size = DemoSize(
            customers=min(CHUNK, customers - offset),
            interactions_per_customer=INTERACTIONS_PER_CUSTOMER,
        )
        rows = build_rows(workspace.id, rng, today, size, owners=owners)
        async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
            await insert_rows(session, rows)
        print(f"  seeded {offset + size.customers}/{customers} customers", flush=True)
    if runtime.settings.database_url.startswith("postgresql"):
        async with runtime.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
    print(f"seeded in {time.perf_counter() - started:.1f}s")
    return workspace.id


async def describe(runtime: Runtime, workspace_id: uuid.UUID) -> str:
    async with tenant_session(runtime.sessions, workspace_id) as session:
        customers = (await session.execute(select(func.count()).select_from(Customer))).scalar()
        interactions = (
            await session.execute(select(func.count()).select_from(Interaction))
        ).scalar()
        points = (await session.execute(select(func.count()).select_from(ContactPoint))).scalar()
    return f"{customers} customers, {points} contact points, {interactions} interactions"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(
    call: Callable[[], Awaitable[Any]], requests: int, concurrency: int
) -> tuple[list[float], float]:
    """Latencies of ``requests`` sequential calls, and calls/s with ``concurrency`` at once."""
    for _ in range(5):
        await call()
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - started)
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, requests / (time.perf_counter() - started)


def report(name: str, latencies: list[float], rate: float) -> float:
    p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
    print(f"{name:<22} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   {rate:8.1f} req/s")
    return p50


async def main(arguments: argparse.Namespace) -> None:
    url = arguments.database_url
    if url.startswith("postgresql"):
        await ensure_postgres_database(url)
    # A page of 1,000 needs a cap at least that high.
    page_cap = max(Settings().max_page_size, arguments.page_size)
    # ... and the cost budget with it (about 70 per customer of W1).
    cost_cap = max(Settings().max_cost, 100 * arguments.page_size)
    runtime = Runtime.create(Settings(database_url=url, max_page_size=page_cap, max_cost=cost_cap))
    await runtime.migrate()
    name = f"bench-w1-{arguments.customers}-{INTERACTIONS_PER_CUSTOMER:g}"
    workspace_id = await seed(runtime, name, arguments.customers)
    print(await describe(runtime, workspace_id))
    key = (await create_api_key(runtime, name, role="admin", name="bench")).key

    query = QUERY.replace("first: 100", f"first: {arguments.page_size}")
    floor_sql = FLOOR.replace("LIMIT 100", f"LIMIT {arguments.page_size}")
    # The same server twice: reads compiled to SQL, and left to the resolvers.
    resolver_runtime = Runtime.create(runtime.settings.with_overrides(compiled_reads=False))
    servers = []
    for each in (runtime, resolver_runtime):
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(each.settings, runtime=each),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        servers.append((port, server, asyncio.create_task(server.serve())))
    for _port, server, _task in servers:
        for _ in range(200):  # uvicorn sets `started` without an event to wait on
            if server.started:
                break
            await asyncio.sleep(0.05)

    statements: list[str] = []
    event.listen(
        runtime.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: statements.append(statement),
    )
    clients = [
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        for port, _server, _task in servers
    ]

    def caller(client: httpx.AsyncClient) -> Callable[[], Awaitable[Any]]:
        async def graphql() -> Any:
            response = await client.post("/graphql", json={"query": query})
            body = response.json()
            if body.get("errors"):
                raise RuntimeError(body["errors"])
            return body

        return graphql

    compiled, resolved = (caller(client) for client in clients)
    await compiled()  # the key is looked up once, then cached
    statements.clear()
    first = await compiled()
    if first != await resolved():
        raise RuntimeError("compiled and resolver answers differ")
    per_request = len(statements)
    edges = first["data"]["customers"]["edges"]
    print(
        f"one request: {len(edges)} customers, "
        f"{sum(len(e['node']['contactPoints']) for e in edges)} contact points, "
        f"{sum(len(e['node']['relationships']) for e in edges)} relationships, "
        f"{sum(len(e['node']['recentInteractions']) for e in edges)} interactions; "
        f"{per_request} SQL statement(s) with the key cached"
    )
    if arguments.show_sql:
        for statement in statements:
            print("   ", " ".join(statement.split())[:120])

    floor: Callable[[], Awaitable[Any]] | None = None
    pool = None
    if url.startswith("postgresql"):
        pool = await asyncpg.create_pool(
            url.replace("postgresql+asyncpg://", "postgresql://"),
            min_size=1,
            max_size=arguments.concurrency,
        )
        assert pool is not None
        floor_pool = pool

        async def run_floor() -> Any:
            async with floor_pool.acquire() as connection:
                return await connection.fetchval(floor_sql, workspace_id)

        floor = run_floor

    # Interleaved rounds, so that a noisy neighbour slows every side alike.
    for round_number in range(1, arguments.rounds + 1):
        print(f"round {round_number}")
        latencies, rate = await measure(compiled, arguments.requests, arguments.concurrency)
        api_p50 = report("GraphQL, compiled", latencies, rate)
        latencies, rate = await measure(resolved, arguments.requests, arguments.concurrency)
        resolver_p50 = report("GraphQL, resolvers", latencies, rate)
        print(f"  ratio resolvers / compiled (p50): {resolver_p50 / api_p50:.1f}x")
        if floor is not None:
            latencies, rate = await measure(floor, arguments.requests, arguments.concurrency)
            floor_p50 = report("one SQL query (floor)", latencies, rate)
            print(f"  ratio compiled / floor (p50): {api_p50 / floor_p50:.2f}x")
    if floor is None:
        print("the floor query is PostgreSQL SQL; run with a PostgreSQL URL to compare")

    for client in clients:
        await client.aclose()
    for _port, server, task in servers:
        server.should_exit = True
        await task
    if shutil.which("wrk"):
        # The same request against a server in its own process, driven by wrk: the client
        # above shares the server's event loop and core, this one does not.
        port = free_port()
        serve = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port)]
        environment = {
            "RAPPORT_DATABASE_URL": url,
            "RAPPORT_MAX_PAGE_SIZE": str(page_cap),
            "RAPPORT_MAX_COST": str(cost_cap),
        }
        with server_process(serve, environment, port):
            separate = run_load(
                f"http://127.0.0.1:{port}/graphql",
                json.dumps({"query": query}),
                auth=key,
                seconds=10,
                concurrency=arguments.concurrency,
            )
        print(separate.line("GraphQL, own process (wrk)"))
    if pool is not None:
        await pool.close()
    await resolver_runtime.dispose()
    await runtime.dispose()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per side")
    parser.add_argument("--concurrency", type=int, default=8, help="clients at once for req/s")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of a request")
    parser.add_argument("--page-size", type=int, default=100, help="customers per page")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of each side")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
