"""The pages frontends show are read through indexes, checked by EXPLAIN on PostgreSQL.

A workspace of a few thousand customers is enough for the planner to prefer an index wherever
one fits; a plan that scans a whole tenant table, or sorts all of a workspace's customers to
show twenty, fails here rather than in a benchmark at a million.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from rapport.core.models import ContactPoint, Customer, Interaction, Task
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key
from tests.conftest import Client
from tests.support import new_workspace

CUSTOMERS = 3_000
TENANT_TABLES = ("customers", "contact_points", "interactions", "tasks", "relationships")

LIST = """{ customers(first: 20, orderBy: [{field: %s, direction: ASC}]) {
  edges { cursor node { id displayName contactPoints { kind value } } } } }"""
FILTERED = """{ customers(first: 20, filter: {lifecycleStatus: [ACTIVE], hasOpenTask: false}) {
  edges { node { id displayName } } } }"""
CUSTOMER_360 = """query($id: ID!) { node(id: $id) { ... on Customer { displayName
  contactPoints { value } relationships { type label }
  timeline(first: 20) { edges { node { __typename } } } } } }"""
SEARCH = """{ search(query: "%s", first: 10) { nodes { kind customer { id displayName } } } }"""


@pytest.fixture
async def client_of_many(runtime: Runtime, http: Any, backend: str) -> Client:
    if backend != "postgresql":
        pytest.skip("the plans checked are PostgreSQL's; SQLite plans by its own rules")
    workspace = await new_workspace(runtime)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with runtime.sessions(info={"workspace_id": workspace.id}) as session, session.begin():
        for i in range(CUSTOMERS):
            customer = Customer(
                kind="person",
                display_name=f"Planned {i:05d}",
                last_name=f"Planned {i:05d}",
                lifecycle_status="active" if i % 3 else "lead",
                created_at=start + timedelta(minutes=i),
            )
            session.add(customer)
            await session.flush()
            email = f"planned{i}@example.com"
            session.add(
                ContactPoint(
                    customer_id=customer.id, kind="email", value=email, normalized_value=email
                )
            )
            if i % 4 == 0:
                session.add(Task(customer_id=customer.id, title=f"Call back {i}"))
            if i % 100 == 0:
                session.add_all(
                    Interaction(
                        customer_id=customer.id, kind="call", occurred_at=start, subject=f"Call {n}"
                    )
                    for n in range(30)
                )
    async with runtime.engine.begin() as connection:
        await connection.execute(text(f"ANALYZE {', '.join(TENANT_TABLES)}"))
    issued = await create_api_key(runtime, workspace.name, role="admin")
    return Client(http, issued.key, workspace.name)


class Plans:
    """The PostgreSQL plans of the statements a request sent."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sent: list[tuple[str, Any]] = []
        self.sizes: dict[str, float] = {}

    def watch(self) -> Iterator[None]:
        def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                self.sent.append((statement, parameters))

        engine = self.runtime.engine.sync_engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", seen)

    async def of(
        self, client: Client, query: str, variables: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.sent.clear()
        watching = self.watch()
        next(watching)
        try:
            await client.query(query, variables)
        finally:
            next(watching, None)
        plans = []
        async with self.runtime.engine.connect() as connection:
            found = await connection.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"),
                {"names": list(TENANT_TABLES)},
            )
            self.sizes = {name: float(rows) for name, rows in found}
            for statement, parameters in self.sent:
                if "credentials_epoch" in statement:
                    continue
                found = await connection.exec_driver_sql(
                    f"EXPLAIN (FORMAT JSON) {statement}", parameters
                )
                raw = found.scalar_one()
                plans.append((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
        return plans


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _scans(plans: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(node type, table, index) of each scan; a bitmap scan's index is on its child."""
    found = []
    for plan in plans:
        for node in _nodes(plan):
            if "Relation Name" not in node:
                continue
            index = node.get("Index Name")
            for child in node.get("Plans", ()):
                index = index or child.get("Index Name")
            found.append((node["Node Type"], node["Relation Name"], index))
    return found


def _no_full_scans(plans: list[dict[str, Any]], sizes: dict[str, float]) -> None:
    """No tenant table of more than a few hundred rows is read whole (a small one may be)."""
    full = [
        scan
        for scan in _scans(plans)
        if scan[0] == "Seq Scan" and scan[1] in TENANT_TABLES and sizes.get(scan[1], 0) > 500
    ]
    assert full == [], full


def _sorted_rows(plans: list[dict[str, Any]]) -> list[float]:
    """Rows fed into each sort, as the planner expects them."""
    return [
        child["Plan Rows"]
        for plan in plans
        for node in _nodes(plan)
        if node["Node Type"] == "Sort"
        for child in node.get("Plans", ())
    ]


async def test_a_page_of_customers_reads_twenty_through_the_ordering_index(
    client_of_many: Client, runtime: Runtime
) -> None:
    plans = Plans(runtime)
    for field, index in (
        ("CREATED_AT", "ix_customers_ws_created"),
        ("DISPLAY_NAME", "ix_customers_ws_name"),
    ):
        found = await plans.of(client_of_many, LIST % field)
        _no_full_scans(found, plans.sizes)
        assert (index, "customers") in {(s[2], s[1]) for s in _scans(found)}, _scans(found)
        assert all(rows < CUSTOMERS / 10 for rows in _sorted_rows(found)), field
        # Contact points of the page come by customer, through their index.
        assert ("ix_contact_points_ws_customer", "contact_points") in {
            (s[2], s[1]) for s in _scans(found)
        }


async def test_a_filtered_page_scans_no_tenant_table(
    client_of_many: Client, runtime: Runtime
) -> None:
    plans = Plans(runtime)
    _no_full_scans(await plans.of(client_of_many, FILTERED), plans.sizes)


async def test_the_customer_360_reads_one_customers_rows(
    client_of_many: Client, runtime: Runtime
) -> None:
    page = await client_of_many.query(LIST % "CREATED_AT")
    customer_id = page["customers"]["edges"][0]["node"]["id"]
    plans = Plans(runtime)
    found = await plans.of(client_of_many, CUSTOMER_360, {"id": customer_id})
    _no_full_scans(found, plans.sizes)
    scans = {(s[1], s[2]) for s in _scans(found)}
    assert ("interactions", "ix_interactions_ws_customer_time") in scans, scans


async def test_search_uses_the_text_indexes(client_of_many: Client, runtime: Runtime) -> None:
    for words in ("Planned 01234", "planned42@example.com"):
        plans = Plans(runtime)
        _no_full_scans(await plans.of(client_of_many, SEARCH % words), plans.sizes)
