"""The schema is ready to be distributed by workspace (PostgreSQL with Citus).

A distributed table's keys must include its distribution column, and a foreign key between
distributed tables must join on it too, or the database cannot enforce them shard by shard.
Global tables (one copy on every node) are few and declared. Statements are watched for the
same property while the suite runs (``tests/tenant_statements.py``); here its checker is tried.
"""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint, select, text

from rapport.core.config import Settings
from rapport.core.db import Base
from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from tests.support import new_workspace
from tests.tenant_statements import WATCH, unconfined_tables

# Tables without a workspace: reference tables under Citus. Keep this list short.
GLOBAL_TABLES = {"workspaces"}
TENANT = frozenset({"customers", "contact_points", "tasks"})


def _all_tables() -> list[Table]:
    Runtime.create(Settings(database_url="sqlite+aiosqlite:///:memory:"))  # every plugin's models
    return list(Base.metadata.sorted_tables)


def test_global_tables_are_declared() -> None:
    found = {t.name for t in _all_tables() if "workspace_id" not in t.c}
    assert found == GLOBAL_TABLES


def test_every_key_includes_the_workspace() -> None:
    problems = []
    for table in _all_tables():
        if table.name in GLOBAL_TABLES:
            continue
        if "workspace_id" not in table.primary_key.columns:
            problems.append(f"{table.name}: primary key")
        for constraint in table.constraints:
            columns = {c.name for c in constraint.columns}
            if isinstance(constraint, UniqueConstraint) and "workspace_id" not in columns:
                problems.append(f"{table.name}: unique {sorted(columns)}")
            if isinstance(constraint, ForeignKeyConstraint):
                referred = constraint.referred_table.name
                if referred in GLOBAL_TABLES:
                    continue
                pairs = {(e.parent.name, e.column.name) for e in constraint.elements}
                if ("workspace_id", "workspace_id") not in pairs:
                    problems.append(f"{table.name}: foreign key to {referred}")
        for index in table.indexes:
            names = {getattr(c, "name", None) for c in index.columns}
            if index.unique and "workspace_id" not in names:
                problems.append(f"{table.name}: unique index {index.name}")
    assert problems == []


def test_the_statement_check_finds_an_unbound_table() -> None:
    assert unconfined_tables("SELECT customers.id FROM customers WHERE customers.id = ?", TENANT)
    assert unconfined_tables(
        "SELECT r0.id FROM customers AS r0 JOIN contact_points AS r1 ON r1.customer_id = r0.id "
        "WHERE r0.workspace_id = $1::UUID",
        TENANT,
    ) == ("contact_points as r1",)
    assert unconfined_tables("INSERT INTO tasks (id, title) VALUES (?, ?)", TENANT) == ("tasks",)
    assert unconfined_tables("DELETE FROM tasks WHERE tasks.id = ?", TENANT)


def test_the_statement_check_accepts_bound_and_joined_tables() -> None:
    assert not unconfined_tables(
        "SELECT r0.id FROM customers AS r0 JOIN contact_points AS r1 "
        "ON r1.workspace_id = r0.workspace_id AND r1.customer_id = r0.id "
        "WHERE r0.workspace_id = $1::UUID",
        TENANT,
    )
    assert not unconfined_tables("UPDATE tasks SET title=? WHERE workspace_id = ?", TENANT)
    assert not unconfined_tables(
        "INSERT INTO tasks (workspace_id, id, title) VALUES (?, ?, ?)", TENANT
    )
    assert not unconfined_tables("SELECT 1", TENANT)
    assert not unconfined_tables("SELECT workspaces.id FROM workspaces", TENANT)


async def test_the_watch_sees_the_suites_statements(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    before = len(WATCH.found)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        await session.execute(text("SELECT customers.id FROM customers"))
        await session.execute(select(Customer.id))  # the session binds it to the workspace
    async with unscoped_session(runtime.sessions) as session:
        await session.execute(text("SELECT customers.id FROM customers"))  # declared: across
    seen = WATCH.found[before:]
    del WATCH.found[before:]  # expected here: not this test's failure
    assert [tables for _statement, tables in seen] == [("customers as customers",)]
