"""Insights: a full recompute of customer insights over 100,000 customers.

Seeds a workspace with core's demo generator and, for three customers in five, one to twelve
sales payments over two years (the revenue source) beside the demo's interactions (the
engagement source), then times ``recompute_insights`` (RFM quintiles, the BG/NBD and
Gamma-Gamma fits, churn signals, grades, the stored rows and the copy onto customers), each
run in its own committed transaction. Target: under a minute.

The floor, on PostgreSQL: the raw SQL aggregate over the same sources (per customer: last
payment, count, sum; and interactions per customer) over asyncpg; what no recompute can beat.

    .venv/bin/python bench/insights_recompute.py                 # scratch PostgreSQL database
    .venv/bin/python bench/insights_recompute.py --customers 20000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
from customer_fixtures import scratch_database
from sqlalchemy import select

from rapport.core.config import Settings
from rapport.core.db import table_of
from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.imports.writer import insert_rows
from rapport.core.insights import recompute_insights
from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace, operator_operation
from rapport.plugins.sales.models import Payment

FLOOR_SQL = (
    "SELECT customer_id, max(received_at), count(*), sum(amount) FROM sales_payments"
    " WHERE workspace_id = $1 GROUP BY customer_id",
    "SELECT customer_id, count(*) FROM interactions WHERE workspace_id = $1 GROUP BY customer_id",
)


async def _seed_payments(runtime: Runtime, workspace_id: uuid.UUID, rng: random.Random) -> int:
    now = datetime.now(UTC)
    async with tenant_session(runtime.sessions, workspace_id) as session, session.begin():
        ids = list((await session.execute(select(Customer.id))).scalars())
        rows = []
        for customer_id in ids:
            if rng.random() >= 0.6:
                continue
            for _ in range(rng.randint(1, 12)):
                rows.append(
                    {
                        "workspace_id": workspace_id,
                        "id": uuid.uuid4(),
                        "customer_id": customer_id,
                        "amount": Decimal(rng.randint(500, 50_000)) / 100,
                        "currency": "EUR",
                        "received_at": now - timedelta(minutes=rng.randint(60, 730 * 1440)),
                        "method": "card",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        await insert_rows(session, table_of(Payment), rows)
    return len(rows)


async def _time_recompute(runtime: Runtime, workspace: str, runs: int) -> tuple[list[float], int]:
    samples, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        async with operator_operation(runtime, workspace) as op, op.transaction():
            count = await recompute_insights(op)
        samples.append(time.perf_counter() - started)
    return samples, count


async def _time_floor(url: str, workspace_id: uuid.UUID, runs: int) -> list[float]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    samples = []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            for statement in FLOOR_SQL:
                await connection.fetch(statement, workspace_id)
            samples.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return samples


def _line(label: str, samples: list[float]) -> str:
    return f"  {label:<34} p50 {statistics.median(samples):7.2f} s, min {min(samples):7.2f} s"


async def run(arguments: argparse.Namespace) -> None:
    database: AbstractAsyncContextManager[str] = (
        nullcontext(arguments.database_url)
        if arguments.database_url
        else scratch_database(arguments.server)
    )
    async with database as url:
        runtime = Runtime.create(Settings(database_url=url, plugins=("sales",)))
        try:
            await runtime.migrate()
            name = f"bench-insights-{uuid.uuid4().hex[:8]}"
            workspace = await create_workspace(runtime, name)
            size = DemoSize(customers=arguments.customers, interactions_per_customer=2)
            started = time.perf_counter()
            rng = random.Random(7)
            async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
                await load_core_demo(session, workspace, rng, size=size)
            payments = await _seed_payments(runtime, workspace.id, rng)
            engine = runtime.engine.dialect.name
            if engine == "postgresql":
                async with runtime.engine.begin() as connection:
                    await connection.exec_driver_sql("ANALYZE")
            print(
                f"Insights recompute, {arguments.customers:,} customers, {payments:,} payments, "
                f"{engine} (seeded in {time.perf_counter() - started:.1f} s), "
                f"{arguments.runs} runs"
            )
            samples, count = await _time_recompute(runtime, name, arguments.runs)
            print(_line(f"recompute_insights ({count:,} rows)", samples))
            if engine == "postgresql":
                floor = await _time_floor(url, workspace.id, arguments.runs)
                print(_line("floor: raw SQL aggregate", floor))
                ratio = statistics.median(samples) / statistics.median(floor)
                print(f"  ratio recompute / floor (p50): {ratio:.1f}x")
        finally:
            await runtime.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
