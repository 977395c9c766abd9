"""Tenancy, enforced in one place: the session.

A session opened for a workspace (:func:`tenant_session`) carries that workspace in
``session.info``. Every ORM statement run through it gets ``workspace_id = :ws`` added for every
tenant table it touches (joins, subqueries and relationship loads included), and every row it
flushes is stamped with that workspace, so no resolver or service has to remember a WHERE clause.
A session without a workspace refuses to read or write tenant tables at all.

Access policies registered by plugins (a relationship manager sees only the clients in their
book) ride the same mechanism: each adds its condition to every statement on its model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from rapport.core.db import TenantMixin

__all__ = [
    "ACROSS_WORKSPACES_KEY",
    "CrossTenantError",
    "RowPolicies",
    "tenant_session",
    "unscoped_session",
    "workspace_of",
]

WORKSPACE_KEY = "workspace_id"
# Marks a connection's statements as declared work across workspaces (migrations, unscoped
# sessions), for whoever checks that the others name one workspace each.
ACROSS_WORKSPACES_KEY = "rapport.across_workspaces"
UNSCOPED_KEY = "unscoped"
POLICIES_KEY = "row_policies"

# (model, lambda cls: condition) pairs from the access policies that apply to one actor.
RowPolicies = Sequence[tuple[type, Callable[[Any], Any]]]


class CrossTenantError(RuntimeError):
    """A row of one workspace was about to be written through another's session."""


def workspace_of(session: Session | AsyncSession) -> uuid.UUID | None:
    return session.info.get(WORKSPACE_KEY)


def tenant_session(
    factory: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    policies: RowPolicies = (),
) -> AsyncSession:
    """A session confined to one workspace and, with ``policies``, to the rows they allow."""
    return factory(info={WORKSPACE_KEY: workspace_id, POLICIES_KEY: tuple(policies)})


def unscoped_session(factory: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A session for operator work across workspaces (CLI, migrations, the worker)."""
    return factory(info={UNSCOPED_KEY: True})


def _check_bulk_insert(state: ORMExecuteState) -> None:
    """Rows inserted with ``session.execute(insert(Model), rows)`` must be the session's."""
    workspace_id = state.session.info.get(WORKSPACE_KEY)
    if workspace_id is None or state.session.info.get(UNSCOPED_KEY):
        return
    if not any(issubclass(m.class_, TenantMixin) for m in state.all_mappers):
        return
    params = state.parameters
    rows: Sequence[Mapping[str, Any]] = (
        params if isinstance(params, list) else [params] if isinstance(params, Mapping) else []
    )
    for row in rows:
        if row.get("workspace_id") != workspace_id:
            raise CrossTenantError("a bulk insert names another (or no) workspace")


def _scope_statement(state: ORMExecuteState) -> None:
    if state.is_insert:
        _check_bulk_insert(state)
        return
    if state.is_column_load or state.is_relationship_load:
        # Already scoped by the statement that loaded the parent.
        return
    session = state.session
    if session.info.get(UNSCOPED_KEY):
        return
    workspace_id = session.info.get(WORKSPACE_KEY)
    if workspace_id is None:
        mappers = {m.class_ for m in state.all_mappers}
        if any(issubclass(cls, TenantMixin) for cls in mappers):
            raise CrossTenantError("a tenant table was queried through a session with no workspace")
        return
    options = [
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.workspace_id == workspace_id,
            include_aliases=True,
        )
    ]
    for model, condition in session.info.get(POLICIES_KEY, ()):
        options.append(with_loader_criteria(model, condition, include_aliases=True))
    state.statement = state.statement.options(*options)


def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    workspace_id = session.info.get(WORKSPACE_KEY)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantMixin):
            continue
        if workspace_id is None:
            if session.info.get(UNSCOPED_KEY):
                continue
            raise CrossTenantError(
                f"{type(obj).__name__} written through a session with no workspace"
            )
        if obj.workspace_id is None:
            obj.workspace_id = workspace_id
        elif obj.workspace_id != workspace_id:
            raise CrossTenantError(f"{type(obj).__name__} belongs to another workspace")


event.listen(Session, "do_orm_execute", _scope_statement)
event.listen(Session, "before_flush", _stamp_new_rows)
