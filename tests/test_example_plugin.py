"""The example third-party plugin works through the public contract alone."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key, create_workspace
from tests.compiled_pairs import compiled_reads_of
from tests.conftest import Client, Databases

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plugin-loyalty"


def _loyalty_plugin() -> Any:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import rapport_loyalty
    finally:
        sys.path.remove(str(EXAMPLE))
    return rapport_loyalty


@pytest.fixture
async def loyalty_runtimes(databases: Databases) -> AsyncIterator[tuple[Runtime, Runtime]]:
    """The plugin enabled alone; twice over one database, compiling reads and not."""
    settings = Settings(database_url=await databases.create(), plugins=("none",))
    runtime = Runtime.create(settings, extra_plugins=[_loyalty_plugin()])
    resolving = Runtime.create(
        settings.with_overrides(compiled_reads=False), extra_plugins=[_loyalty_plugin()]
    )
    await runtime.migrate()
    await create_workspace(runtime, "loyal")
    yield runtime, resolving
    await resolving.dispose()
    await runtime.dispose()


@asynccontextmanager
async def _client(runtime: Runtime, key: str, app: Any = None) -> AsyncIterator[Client]:
    app = app or create_app(runtime.settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        yield Client(http, key, "loyal")


@pytest.fixture
async def loyalty_client(loyalty_runtimes: tuple[Runtime, Runtime]) -> AsyncIterator[Client]:
    runtime, _ = loyalty_runtimes
    issued = await create_api_key(runtime, "loyal", role="admin")
    async with _client(runtime, issued.key) as client:
        yield client


async def test_loyalty_tier_is_added_to_customers(loyalty_client: Client) -> None:
    await loyalty_client.query(
        'mutation { createCustomer(input: {kind: PERSON, lastName: "Kim"}) { errors { code } } }'
    )
    data = await loyalty_client.query(
        "{ customers { edges { node { displayName loyaltyTier } } } }"
    )
    assert data["customers"]["edges"] == [{"node": {"displayName": "Kim", "loyaltyTier": "bronze"}}]


LOG = """mutation($customer: ID!) {
  logInteraction(input: {customerId: $customer, kind: "loyalty_reward"}) { errors { code } }
}"""


async def test_the_tier_is_the_same_in_sql_and_in_python(
    loyalty_runtimes: tuple[Runtime, Runtime],
) -> None:
    runtime, resolving = loyalty_runtimes
    key = (await create_api_key(runtime, "loyal", role="admin")).key
    app = create_app(runtime.settings, runtime=runtime)
    reads = compiled_reads_of(app)
    async with _client(runtime, key, app) as compiled, _client(resolving, key) as resolved:
        counts = {"Kim": 0, "Lee": 10, "Moe": 50}
        for name, interactions in counts.items():
            created = await compiled.query(
                "mutation($name: String!) { createCustomer(input: {kind: PERSON,"
                " lastName: $name}) { customer { id } } }",
                {"name": name},
            )
            customer = created["createCustomer"]["customer"]["id"]
            for _ in range(interactions):
                await compiled.query(LOG, {"customer": customer})
        query = "{ customers { edges { node { displayName loyaltyTier } } } }"
        before = reads.statements_run
        answer = await compiled.query(query)
        assert reads.statements_run == before + 1  # the tier came from the statement
        assert answer == await resolved.query(query)
        tiers = {
            e["node"]["displayName"]: e["node"]["loyaltyTier"] for e in answer["customers"]["edges"]
        }
        assert tiers == {"Kim": "bronze", "Lee": "silver", "Moe": "gold"}
