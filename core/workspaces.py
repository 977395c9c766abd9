"""Operator actions on workspaces, users and keys (the CLI and demo use these)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.auth import Actor, IssuedKey, find_workspace, issue_key
from rapport.core.db import write_transaction, writing
from rapport.core.models import User, Workspace
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from rapport.core.tenancy import tenant_session, unscoped_session

__all__ = [
    "SYSTEM_EMAIL",
    "WorkspaceError",
    "create_api_key",
    "create_workspace",
    "ensure_user",
    "operator_operation",
    "system_operations",
]


class WorkspaceError(ValueError):
    """An operator request that cannot be carried out, with the reason."""


async def create_workspace(runtime: Runtime, name: str) -> Workspace:
    name = name.strip()
    if not name or len(name) > 100:
        raise WorkspaceError("a workspace name is 1 to 100 characters")
    async with writing(unscoped_session(runtime.sessions)) as session:
        if await find_workspace(session, name) is not None:
            raise WorkspaceError(f"workspace {name!r} exists already")
        workspace = Workspace(name=name)
        session.add(workspace)
    return workspace


async def ensure_user(session: AsyncSession, workspace: Workspace, email: str, role: str) -> User:
    """The workspace's user with ``email``, created if new; two processes creating the same
    one at once (two workers' system user) both end with the one that was stored."""
    found = select(User).where(User.email == email)
    user = (await session.execute(found)).scalar_one_or_none()
    if user is not None:
        return user
    try:
        async with session.begin_nested():
            user = User(
                workspace_id=workspace.id, email=email, display_name=email.split("@")[0], role=role
            )
            session.add(user)
    except IntegrityError:
        # Created by another transaction since the read above: that one is the user.
        return (await session.execute(found)).scalar_one()
    return user


async def create_api_key(
    runtime: Runtime,
    workspace_name: str,
    *,
    role: str,
    email: str | None = None,
    name: str = "cli",
) -> IssuedKey:
    if role not in runtime.roles.roles:
        raise WorkspaceError(
            f"unknown role {role!r}; roles: {', '.join(sorted(runtime.roles.roles))}"
        )
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, workspace_name)
    if workspace is None:
        raise WorkspaceError(f"no workspace named {workspace_name!r}")
    async with writing(tenant_session(runtime.sessions, workspace.id)) as session:
        user = await ensure_user(session, workspace, email or f"{role}@{workspace.name}", role)
        return await issue_key(session, user, role=role, name=name)


SYSTEM_EMAIL = "system@rapport.internal"


@asynccontextmanager
async def _operation_as(
    runtime: Runtime, workspace: Workspace, email: str, role: str
) -> AsyncIterator[Operation]:
    async with tenant_session(runtime.sessions, workspace.id) as session:
        async with write_transaction(session):
            user = await ensure_user(session, workspace, email, role)
        actor = Actor(workspace.id, user.id, role, runtime.roles.permissions_of(role))
        operation = Operation(session, actor, runtime.host)
        async with operation.transaction():
            yield operation


@asynccontextmanager
async def operator_operation(
    runtime: Runtime, workspace_name: str, email: str | None = None
) -> AsyncIterator[Operation]:
    """An admin's unit of work in a workspace for CLI commands and scripts.

    The user (``admin@<workspace>`` unless ``email`` is given) is created if new, so audit
    entries name who ran the command. Everything done inside commits at the end, or nothing.
    """
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, workspace_name)
    if workspace is None:
        raise WorkspaceError(f"no workspace named {workspace_name!r}")
    async with _operation_as(runtime, workspace, email or f"admin@{workspace.name}", "admin") as op:
        yield op


async def system_operations(runtime: Runtime) -> AsyncIterator[Any]:
    """One unit of work per workspace, acting as that workspace's system user.

    Background jobs run their service calls through these, so what they change is validated,
    audited under a real (system) user and committed per workspace like any other write.
    """
    async with unscoped_session(runtime.sessions) as session:
        workspaces = list((await session.execute(select(Workspace))).scalars())
    for workspace in workspaces:
        yield _operation_as(runtime, workspace, SYSTEM_EMAIL, "admin")
