"""The example third-party plugin works through the public contract alone."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key, create_workspace
from tests.conftest import Client, Databases

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plugin-loyalty"


@pytest.fixture
async def loyalty_client(databases: Databases) -> AsyncIterator[Client]:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import rapport_loyalty
    finally:
        sys.path.remove(str(EXAMPLE))
    runtime = Runtime.create(
        Settings(database_url=await databases.create(), plugins=("none",)),
        extra_plugins=[rapport_loyalty],
    )
    await runtime.migrate()
    await create_workspace(runtime, "loyal")
    issued = await create_api_key(runtime, "loyal", role="admin")
    app = create_app(runtime.settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        yield Client(http, issued.key, "loyal")
    await runtime.dispose()


async def test_loyalty_tier_is_added_to_customers(loyalty_client: Client) -> None:
    await loyalty_client.query(
        'mutation { createCustomer(input: {kind: PERSON, lastName: "Kim"}) { errors { code } } }'
    )
    data = await loyalty_client.query(
        "{ customers { edges { node { displayName loyaltyTier } } } }"
    )
    assert data["customers"]["edges"] == [{"node": {"displayName": "Kim", "loyaltyTier": "bronze"}}]
