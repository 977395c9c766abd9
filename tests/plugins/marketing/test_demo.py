"""The marketing demo: deterministic, and enough for every analytic to show something."""

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
  segments { totalCount nodes { name kind size } }
  campaigns { totalCount nodes { name status } }
  campaignMembers { totalCount }
  memberResponses(filter: {responded: {eq: true}}) { totalCount }
  campaignCosts { totalCount }
  consents { totalCount }
  leadForms { totalCount }
  scoringRules { totalCount }
  campaignPerformance(model: POSITION_BASED) { campaign { name } members responses actualCost attributedPayments roi }
}"""


async def _demo(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    name = f"demo-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    issued = await create_api_key(runtime, name, role="admin", email="admin@demo.example")
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, name)
    assert workspace is not None
    await load_demo_data(runtime, workspace, seed=7, only=("core", "sales", "marketing"))
    return Client(http, issued.key, name)


async def test_demo_data_is_deterministic_and_covers_the_story(
    runtime: Runtime, http: httpx.AsyncClient
) -> None:
    other = await _demo(runtime, http)
    first = await (await _demo(runtime, http)).query(SUMMARY)
    second = await other.query(SUMMARY)
    assert first == second
    assert first["segments"]["totalCount"] == 3
    assert first["campaigns"]["totalCount"] == 4
    assert {c["status"] for c in first["campaigns"]["nodes"]} == {"ACTIVE", "COMPLETED", "ABORTED"}
    for key in (
        "campaignMembers",
        "memberResponses",
        "campaignCosts",
        "consents",
        "leadForms",
        "scoringRules",
    ):
        assert first[key]["totalCount"] > 0, key
    rows = {r["campaign"]["name"]: r for r in first["campaignPerformance"]}
    assert rows["Spring programme"]["members"] >= rows["Spring newsletter"]["members"]
    assert rows["Spring newsletter"]["actualCost"] == "570.00"
    assert any(r["attributedPayments"] != "0.00" for r in rows.values())
    audience = await other.query(
        '{ segments(filter: {name: {eq: "Owners 35-54, North and South"}}) { nodes { id } } }'
    )
    assert audience["segments"]["nodes"]
