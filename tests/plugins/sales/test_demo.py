"""The demo loader: fast, deterministic, and consistent with the services' rules."""

from __future__ import annotations

import uuid

import httpx

from rapport.core.auth import find_workspace
from rapport.core.demo import load_demo_data
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.core.workspaces import create_api_key, create_workspace
from tests.conftest import Client

SUMMARY = """{
  pipelines { totalCount }
  leads { totalCount }
  opportunities(first: 100, orderBy: [{field: AMOUNT, direction: DESC}, {field: NAME}]) {
    totalCount nodes { name amount probability closedAt lostReason competitor
      stage { category } stageHistory { toStageId } } }
  products { totalCount }
  orders { totalCount }
  payments { totalCount }
  territories { totalCount }
  quotas { totalCount }
}"""


async def demo_client(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    name = f"demo-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    issued = await create_api_key(runtime, name, role="admin", email="admin@demo.example")
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, name)
    assert workspace is not None
    await load_demo_data(runtime, workspace, seed=7, only=("sales",))
    return Client(http, issued.key, name)


async def test_demo_data_is_deterministic_and_consistent(
    runtime: Runtime, http: httpx.AsyncClient
) -> None:
    first = await (await demo_client(runtime, http)).query(SUMMARY)
    second = await (await demo_client(runtime, http)).query(SUMMARY)
    assert first["opportunities"]["totalCount"] == 120
    for key in ("pipelines", "leads", "products", "orders", "payments", "territories", "quotas"):
        assert first[key]["totalCount"] > 0, key
        assert first[key] == second[key], key

    def shape(data: dict) -> list:
        return [
            (n["name"], n["amount"], n["stage"]["category"], len(n["stageHistory"]))
            for n in data["opportunities"]["nodes"]
        ]

    assert shape(first) == shape(second)
    categories = {n["stage"]["category"] for n in first["opportunities"]["nodes"]}
    assert categories == {"OPEN", "WON", "LOST"}
    for deal in first["opportunities"]["nodes"]:
        closed = deal["stage"]["category"] != "OPEN"
        assert (deal["closedAt"] is not None) == closed
        if deal["stage"]["category"] == "LOST":
            assert deal["lostReason"]
            assert deal["competitor"]
        assert deal["stageHistory"]


async def test_analytics_run_on_demo_data(runtime: Runtime, http: httpx.AsyncClient) -> None:
    client = await demo_client(runtime, http)
    pipeline = (
        await client.query('{ pipelines(filter: {name: {eq: "Sales"}}) { nodes { id } } }')
    )["pipelines"]["nodes"][0]["id"]
    data = await client.query(
        """query($p: ID!, $period: SalesPeriod!) {
          salesFunnel(pipelineId: $p, period: $period) { entered converted }
          winRate(period: $period, groupBy: TERRITORY) { won lost }
          forecast(period: $period) { total { bestCase } byTerritory { groupId } }
          quotaAttainment(period: $period) { achieved }
          bigDeals { totalCount }
          customers(first: 5) { nodes { lifetimeRevenue { amount } orders { totalCount } } }
        }""",
        {"p": pipeline, "period": {"start": "2000-01-01", "end": "2100-12-31"}},
    )
    funnel = data["salesFunnel"]
    assert funnel[0]["entered"] > 0
    # Nobody converts out of more deals than entered the stage.
    assert all(stage["converted"] <= stage["entered"] for stage in funnel)
    assert sum(row["won"] + row["lost"] for row in data["winRate"]) > 0
    assert data["quotaAttainment"]
