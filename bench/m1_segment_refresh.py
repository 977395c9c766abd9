"""M1: refreshing a snapshot segment over 100,000 customers.

Seeds a workspace with core's demo generator (persons with occupations, birth dates and
regions; organisations with industries), then times ``refresh_segment`` (the service, in its
own committed transaction each time) for three segments:

- ``everyone``: ``{}``, every customer (the largest write);
- ``owners``: shop owners aged 35-54 in two regions (a narrow filter with an age band);
- ``composed``: the owners plus the North, minus a dynamic segment of teachers.

Beside it on PostgreSQL, the floor: the same membership for ``everyone`` rewritten by hand in
one ``DELETE`` and one ``INSERT ... SELECT`` over asyncpg.

    .venv/bin/python bench/m1_segment_refresh.py                 # scratch PostgreSQL database
    .venv/bin/python bench/m1_segment_refresh.py --customers 20000 --runs 3
    .venv/bin/python bench/m1_segment_refresh.py --database-url sqlite+aiosqlite:///m1.db
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext

import asyncpg
from customer_fixtures import scratch_database

from rapport.core.config import Settings
from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace, operator_operation
from rapport.plugins.marketing.services.segments import (
    SegmentFields,
    create_segment,
    refresh_segment,
)

OWNERS = {
    "occupation": {"eq": "shop owner"},
    "ageBand": ["AGE_35_44", "AGE_45_54"],
    "region": {"in": ["North", "South"]},
}


async def _segments(runtime: Runtime, workspace: str) -> dict[str, uuid.UUID]:
    async with operator_operation(runtime, workspace) as op:
        everyone = await create_segment(
            op, SegmentFields(name="everyone", kind="snapshot", filter={})
        )
        owners = await create_segment(
            op, SegmentFields(name="owners", kind="snapshot", filter=OWNERS)
        )
        teachers = await create_segment(
            op, SegmentFields(name="teachers", filter={"occupation": {"eq": "teacher"}})
        )
        composed = await create_segment(
            op,
            SegmentFields(
                name="composed",
                kind="snapshot",
                filter={"region": {"eq": "North"}},
                include_ids=[owners.id],
                exclude_ids=[teachers.id],
            ),
        )
        return {"everyone": everyone.id, "owners": owners.id, "composed": composed.id}


async def _time_service(
    runtime: Runtime, workspace: str, segment: uuid.UUID, runs: int
) -> tuple[list[float], int]:
    samples, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        async with operator_operation(runtime, workspace) as op:
            result = await refresh_segment(op, segment)
            count = result.segment.member_count or 0
        samples.append(time.perf_counter() - started)
    return samples, count


async def _time_floor(
    url: str, workspace_id: uuid.UUID, segment: uuid.UUID, runs: int
) -> list[float]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    samples = []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            async with connection.transaction():
                await connection.execute(
                    "DELETE FROM marketing_segment_members"
                    " WHERE workspace_id = $1 AND segment_id = $2",
                    workspace_id,
                    segment,
                )
                await connection.execute(
                    "INSERT INTO marketing_segment_members"
                    " (workspace_id, id, segment_id, customer_id) "
                    "SELECT $1, gen_random_uuid(), $2, id FROM customers "
                    "WHERE workspace_id = $1 AND deleted_at IS NULL",
                    workspace_id,
                    segment,
                )
            samples.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return samples


def _line(label: str, samples: list[float], count: int | None = None) -> str:
    members = f", {count:,} members" if count is not None else ""
    return (
        f"  {label:<28} p50 {statistics.median(samples) * 1000:8.1f} ms, "
        f"min {min(samples) * 1000:8.1f} ms{members}"
    )


async def run(arguments: argparse.Namespace) -> None:
    database: AbstractAsyncContextManager[str] = (
        nullcontext(arguments.database_url)
        if arguments.database_url
        else scratch_database(arguments.server)
    )
    async with database as url:
        runtime = Runtime.create(Settings(database_url=url, plugins=("sales", "marketing")))
        try:
            await runtime.migrate()
            name = f"bench-m1-{uuid.uuid4().hex[:8]}"
            workspace = await create_workspace(runtime, name)
            size = DemoSize(customers=arguments.customers, interactions_per_customer=0.01)
            started = time.perf_counter()
            async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
                await load_core_demo(session, workspace, random.Random(7), size=size)
            engine = runtime.engine.dialect.name
            if engine == "postgresql":
                async with runtime.engine.begin() as connection:
                    await connection.exec_driver_sql("ANALYZE")
            print(
                f"M1 segment refresh, {arguments.customers:,} customers, {engine} "
                f"(seeded in {time.perf_counter() - started:.1f} s), {arguments.runs} runs"
            )
            segments = await _segments(runtime, name)
            for label, segment in segments.items():
                samples, count = await _time_service(runtime, name, segment, arguments.runs)
                print(_line(f"service: {label}", samples, count))
                if label == "everyone" and engine == "postgresql":
                    floor = await _time_floor(url, workspace.id, segment, arguments.runs)
                    print(_line("floor: everyone (SQL)", floor))
                    ratio = statistics.median(samples) / statistics.median(floor)
                    print(f"  ratio service / floor (p50): {ratio:.2f}x")
        finally:
            await runtime.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
