"""W3: import customers with an email and a phone each, through the import service.

Beside it, the floor: a raw asyncpg COPY of exactly the rows the service writes (customers
and their contact points), with the records built before the clock starts. The service also
parses and validates every row, looks up duplicates and audits; the ratio is what that costs.

    .venv/bin/python bench/w3_import.py [--rows 100000] [--server postgresql://...]
    .venv/bin/python bench/w3_import.py --database-url sqlite+aiosqlite:///bench.db
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from customer_fixtures import as_csv, customer_rows, scratch_database

from rapport.core.config import Settings
from rapport.core.imports import ImportOptions, import_customers
from rapport.core.runtime import Runtime
from rapport.core.services.contact_points import normalize_contact
from rapport.core.workspaces import create_workspace, operator_operation

CUSTOMER_COLUMNS = [
    "workspace_id",
    "id",
    "kind",
    "display_name",
    "first_name",
    "last_name",
    "lifecycle_status",
    "tags",
    "region",
    "industry",
    "birth_date",
    "attributes",
    "version",
    "created_at",
    "updated_at",
]
CONTACT_COLUMNS = [
    "workspace_id",
    "id",
    "customer_id",
    "kind",
    "value",
    "normalized_value",
    "is_primary",
    "consent_marketing",
    "do_not_contact",
    "verified",
    "created_at",
    "updated_at",
]


def raw_records(
    workspace_id: uuid.UUID, rows: list[dict[str, str]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    customers, contacts = [], []
    for row in rows:
        customer_id = uuid.uuid4()
        tags = sorted(t for t in row["tags"].split(";") if t)
        customers.append(
            (
                workspace_id,
                customer_id,
                "person",
                f"{row['first_name']} {row['last_name']}",
                row["first_name"],
                row["last_name"],
                "lead",
                json.dumps(tags),
                row["region"],
                row["industry"],
                date.fromisoformat(row["birth_date"]),
                "{}",
                1,
                now,
                now,
            )
        )
        for kind in ("email", "phone"):
            contacts.append(
                (
                    workspace_id,
                    uuid.uuid4(),
                    customer_id,
                    kind,
                    row[kind],
                    normalize_contact(kind, row[kind]),
                    True,
                    False,
                    False,
                    False,
                    now,
                    now,
                )
            )
    return customers, contacts


async def raw_copy(url: str, workspace_id: uuid.UUID, rows: list[dict[str, str]]) -> float:
    customers, contacts = raw_records(workspace_id, rows)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        started = time.perf_counter()
        async with connection.transaction():
            await connection.copy_records_to_table(
                "customers", records=customers, columns=CUSTOMER_COLUMNS
            )
            await connection.copy_records_to_table(
                "contact_points", records=contacts, columns=CONTACT_COLUMNS
            )
        return time.perf_counter() - started
    finally:
        await connection.close()


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
            text = as_csv(rows)
            workspace = await create_workspace(runtime, f"bench-{uuid.uuid4().hex[:8]}")
            options = ImportOptions(batch_size=arguments.batch_size, source="bench")
            started = time.perf_counter()
            async with operator_operation(runtime, workspace.name) as op:
                report = await import_customers(op, io.StringIO(text, newline=""), options)
            service = time.perf_counter() - started
            assert report.created == arguments.rows, report.problems[:5]
            engine = runtime.engine.dialect.name
            print(f"W3 import, {arguments.rows} customers (2 contact points each), {engine}")
            print(f"  import service : {service:8.2f} s  {arguments.rows / service:10.0f} rows/s")
            if engine != "postgresql":
                print("  raw COPY       : n/a (PostgreSQL only)")
                return
            other = await create_workspace(runtime, f"bench-{uuid.uuid4().hex[:8]}")
            raw = await raw_copy(url, other.id, rows)
            print(f"  raw asyncpg COPY: {raw:7.2f} s  {arguments.rows / raw:10.0f} rows/s")
            print(f"  ratio service / raw: {service / raw:.2f}x")
        finally:
            await runtime.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server on which a scratch database is made and dropped",
    )
    parser.add_argument("--database-url", help="use this database instead (kept)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
