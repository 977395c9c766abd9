"""Every statement the suite runs over a tenant table names one workspace.

A distributed PostgreSQL (Citus, distributed by ``workspace_id``) routes a statement to one node
only when each tenant table in it is bound to one workspace, directly (``t.workspace_id = $1``)
or by a join to a table that is (``a.workspace_id = b.workspace_id``). This plugin watches every
statement the suite sends and fails the test that sent one without, unless it came through an
unscoped session or a migration, the declared ways of working across workspaces
(authentication, the worker, the CLI, data migrations). The check reads the SQL text with patterns, fast enough to run on the whole suite; it
knows aliases but no scoping rules, so where it is unsure it errs on the side of leniency.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from rapport.core.db import Base
from rapport.core.tenancy import ACROSS_WORKSPACES_KEY, UNSCOPED_KEY

__all__ = ["unconfined_tables"]

CHECKED = ("SELECT", "WITH", "UPDATE", "DELETE", "INSERT", "(")
_NAME = r'"?(\w+)"?'
_REFERENCE = re.compile(
    rf"\b(?:FROM|JOIN|UPDATE|INTO)\s+{_NAME}(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|SET\b|JOIN\b|LEFT\b|INNER\b|ORDER\b|GROUP\b|LIMIT\b|VALUES\b|SELECT\b|USING\b|RETURNING\b|FOR\b|UNION\b|CROSS\b|FULL\b|RIGHT\b)(\w+))?",
    re.IGNORECASE,
)
_VALUE = r"(?:\$\d+(?:::\w+)?|\?|%\(\w+\)s|:\w+|'[^']*'(?:::\w+)?)"
_BOUND = re.compile(
    rf"\b{_NAME}\.workspace_id\s*=\s*(?:CAST\(\s*)?{_VALUE}|{_VALUE}\s*=\s*{_NAME}\.workspace_id\b",
    re.IGNORECASE,
)
_JOINED = re.compile(rf"\b{_NAME}\.workspace_id\s*=\s*{_NAME}\.workspace_id\b", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?\s*\(([^)]*)\)", re.IGNORECASE)
_UNQUALIFIED = re.compile(rf"(?<![.\w])workspace_id\s*=\s*{_VALUE}", re.IGNORECASE)


def _tenant_tables() -> frozenset[str]:
    return frozenset(t.name for t in Base.metadata.tables.values() if "workspace_id" in t.c)


@lru_cache(maxsize=20_000)
def unconfined_tables(statement: str, tenant_tables: frozenset[str]) -> tuple[str, ...]:
    """The tenant tables (as ``table as alias``) ``statement`` does not bind to one workspace."""
    if not statement.lstrip().upper().startswith(CHECKED):
        return ()
    inserted = _INSERT.match(statement)
    if inserted and inserted.group(1) in tenant_tables:
        columns = {c.strip().strip('"') for c in inserted.group(2).split(",")}
        if "workspace_id" not in columns:
            return (inserted.group(1),)
    references = [
        (table, alias or table)
        for table, alias in _REFERENCE.findall(statement)
        if table in tenant_tables and not (inserted and table == inserted.group(1))
    ]
    if not references:
        return ()
    confined = {a or b for a, b in _BOUND.findall(statement)}
    if len({alias for _table, alias in references}) == 1 and _UNQUALIFIED.search(statement):
        confined.add(references[0][1])  # UPDATE t SET ... WHERE workspace_id = ?
    joins = _JOINED.findall(statement)
    grown = True
    while grown:
        grown = False
        for left, right in joins:
            for one, other in ((left, right), (right, left)):
                if one in confined and other not in confined:
                    confined.add(other)
                    grown = True
    return tuple(sorted({f"{t} as {a}" for t, a in references if a not in confined}))


class StatementWatch:
    """Records the unconfined statements each test sends."""

    def __init__(self) -> None:
        self.tenant_tables = _tenant_tables()
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def install(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._seen)
        event.listen(Session, "after_begin", _mark_unscoped)
        event.listen(Pool, "checkin", _unmark)

    def _seen(self, conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if conn.info.get(ACROSS_WORKSPACES_KEY):
            return
        tables = unconfined_tables(statement, self.tenant_tables)
        if tables:
            self.found.append((statement, tables))


def _mark_unscoped(session: Session, _transaction: Any, connection: Any) -> None:
    if session.info.get(UNSCOPED_KEY):
        connection.info[ACROSS_WORKSPACES_KEY] = True


def _unmark(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info.pop(ACROSS_WORKSPACES_KEY, None)


WATCH = StatementWatch()


def pytest_configure(config: pytest.Config) -> None:
    WATCH.install()


@pytest.fixture(autouse=True)
def every_statement_names_one_workspace() -> Iterator[None]:
    start = len(WATCH.found)
    yield
    found = WATCH.found[start:]
    if found:
        statement, tables = found[0]
        pytest.fail(
            f"{len(found)} statement(s) over tenant tables without one workspace; the first, "
            f"on {', '.join(tables)}:\n{statement[:2000]}",
            pytrace=False,
        )
