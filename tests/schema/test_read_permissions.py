"""Fields that reach into interactions, tasks and the audit log ask for their own permission."""

from __future__ import annotations

import types
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from rapport.core import Role
from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.hookspecs import hookimpl
from rapport.core.plugins import PluginInfo
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key, create_workspace
from tests.conftest import Client
from tests.schema.factories import interaction, person, task


def clerk_role() -> types.ModuleType:
    module = types.ModuleType("clerk_role")
    module.plugin_info = PluginInfo(name="clerk_role", version="0", description="test")  # type: ignore[attr-defined]

    @hookimpl
    def register_roles(register: Any) -> None:
        register(Role("clerk", "reads customers only", permissions=("customers:read",)))

    module.register_roles = register_roles  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def clerk_and_admin(runtime: Runtime) -> AsyncIterator[tuple[Client, Client]]:
    with_clerks = Runtime.create(
        Settings(database_url=runtime.settings.database_url), [clerk_role()]
    )
    app = create_app(with_clerks.settings, runtime=with_clerks)
    name = f"clerks-{uuid.uuid4().hex[:8]}"
    await create_workspace(with_clerks, name)
    admin_key = (await create_api_key(with_clerks, name, role="admin")).key
    clerk_key = (await create_api_key(with_clerks, name, role="clerk", email="clerk@x.org")).key
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Client(http, clerk_key, name), Client(http, admin_key, name)
    await with_clerks.dispose()


async def test_clerks_see_customers_but_not_their_history(
    clerk_and_admin: tuple[Client, Client],
) -> None:
    clerk, admin = clerk_and_admin
    ada = await person(admin, "Ada", "Lovelace")
    await interaction(admin, ada, "call", "2025-01-01T10:00:00Z")
    await task(admin, "call back", customerId=ada)
    data = await clerk.query(
        "query($id: ID!) { customer(id: $id) { displayName contactPoints { value } } }", {"id": ada}
    )
    assert data["customer"]["displayName"] == "Ada Lovelace"
    for field in (
        "recentInteractions { id }",
        "lastInteractionAt",
        "openTasks { id }",
        "timeline { edges { kind } }",
    ):
        body = await clerk.post(
            f"query($id: ID!) {{ customer(id: $id) {{ {field} }} }}", {"id": ada}
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", field
    for query in (
        "{ interactions { totalCount } }",
        "{ tasks { totalCount } }",
        "{ auditLog { totalCount } }",
    ):
        body = await clerk.post(query)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
