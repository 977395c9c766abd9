"""W5: search latency on a workspace of 100k customers (each with an email and a phone).

``search`` through the service (the three kinds, then the rows loaded) and through GraphQL
in-process (schema execution, no HTTP), beside the floor: one raw full-text query on the
customers alone over asyncpg, on the same indexed column. p50 and p95 of each.

    .venv/bin/python bench/w5_search.py [--rows 100000] [--queries 300] [--server ...]
    .venv/bin/python bench/w5_search.py --database-url sqlite+aiosqlite:///bench.db
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext

import asyncpg
from customer_fixtures import as_csv, customer_rows, percentile, scratch_database

from rapport.core.auth import Actor
from rapport.core.config import Settings
from rapport.core.imports import ImportOptions, import_customers
from rapport.core.runtime import Runtime
from rapport.core.search import search
from rapport.core.search.terms import parse_query
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace, operator_operation
from rapport.schema.build import build_schema
from rapport.schema.context import RequestContext

GRAPHQL = """
query($q: String!) {
  search(query: $q, first: 20) { nodes { score kind snippet customer { id displayName } } }
}
"""
RAW = """
SELECT c.id, ts_rank_cd(c.search_vector, q, 32) AS score
FROM customers AS c, to_tsquery('simple', $2) AS q
WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.search_vector @@ q
ORDER BY score DESC LIMIT 20
"""
WARMUP = 20


def queries(rows: list[dict[str, str]], count: int) -> list[str]:
    """Names, name prefixes, emails and segment words, as people type them."""
    rng = random.Random(11)
    made = []
    for _ in range(count):
        row = rng.choice(rows)
        made.append(
            rng.choice(
                [
                    f"{row['first_name']} {row['last_name']}",
                    row["last_name"][:4],
                    row["email"],
                    f"{row['region']} {row['industry']}".lower(),
                ]
            )
        )
    return made


async def timed(texts: list[str], run: Callable[[str], Awaitable[object]]) -> list[float]:
    for text in texts[:WARMUP]:
        await run(text)
    samples = []
    for text in texts:
        started = time.perf_counter()
        await run(text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(label: str, samples: list[float]) -> str:
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    return f"  {label:<22} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms"


async def run(arguments: argparse.Namespace) -> None:
    database: AbstractAsyncContextManager[str] = (
        nullcontext(arguments.database_url)
        if arguments.database_url
        else scratch_database(arguments.server)
    )
    async with database as url:
        runtime = Runtime.create(Settings(database_url=url, plugins=("none",)))
        try:
            await runtime.migrate()
            rows = customer_rows(arguments.rows)
            workspace = await create_workspace(runtime, f"bench-{uuid.uuid4().hex[:8]}")
            async with operator_operation(runtime, workspace.name) as op:
                await import_customers(op, io.StringIO(as_csv(rows), newline=""), ImportOptions())
                actor = op.actor
            texts = queries(rows, arguments.queries)
            engine = runtime.engine.dialect.name
            if engine == "postgresql":
                async with runtime.engine.begin() as connection:
                    await connection.exec_driver_sql("ANALYZE")
            print(f"W5 search, {arguments.rows} customers, {len(texts)} queries, {engine}")
            results = await measure(runtime, actor, workspace.id, texts, url)
            for label, samples in results.items():
                print(line(label, samples))
            if "raw FTS (customers)" in results:
                floor = percentile(results["raw FTS (customers)"], 0.5)
                for label in ("search service", "GraphQL in-process"):
                    ratio = percentile(results[label], 0.5) / floor
                    print(f"  ratio {label} / raw (p50): {ratio:.2f}x")
        finally:
            await runtime.dispose()


async def measure(
    runtime: Runtime, actor: Actor, workspace_id: uuid.UUID, texts: list[str], url: str
) -> dict[str, list[float]]:
    async def service(text: str) -> object:
        async with tenant_session(runtime.sessions, workspace_id) as session:
            return await search(session, workspace_id, text)

    schema = build_schema(runtime)

    async def graphql(text: str) -> object:
        context = RequestContext(runtime=runtime, actor=actor)
        result = await schema.execute(GRAPHQL, variable_values={"q": text}, context_value=context)
        assert not result.errors, result.errors
        return result.data

    results = {
        "search service": await timed(texts, service),
        "GraphQL in-process": await timed(texts, graphql),
    }
    if runtime.engine.dialect.name == "postgresql":
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        # The floor at its best: a plan made for each query's own terms, as the service gets.
        await connection.execute("SET plan_cache_mode = force_custom_plan")
        try:

            async def raw(text: str) -> object:
                return await connection.fetch(RAW, workspace_id, parse_query(text).tsquery())

            results["raw FTS (customers)"] = await timed(texts, raw)
        finally:
            await connection.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server on which a scratch database is made and dropped",
    )
    parser.add_argument("--database-url", help="use this database instead (kept)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
