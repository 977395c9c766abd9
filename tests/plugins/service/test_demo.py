"""The demo loader: cases with legal histories, timers equal to a recomputation, analytics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from rapport.core.auth import find_workspace
from rapport.core.demo import load_demo_data
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.core.workspaces import create_api_key, create_workspace
from rapport.plugins.service.statuses import TRANSITIONS
from tests.conftest import Client

SUMMARY = """{
  cases(first: 100) { totalCount nodes { id statusCategory statusHistory { fromCategory toCategory }
    timers { metric state targetAt } } }
  slaPolicies { totalCount } escalationRules { totalCount } articles { totalCount }
  assets { totalCount } workOrders { totalCount } serviceSchedules { totalCount }
  surveyInvitations { totalCount }
}"""


async def demo_client(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    name = f"service-demo-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    issued = await create_api_key(runtime, name, role="admin", email="admin@demo.example")
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, name)
    assert workspace is not None
    await load_demo_data(runtime, workspace, seed=11, only=("core", "service"))
    return Client(http, issued.key, name)


async def test_demo_data_is_consistent(runtime: Runtime, http: httpx.AsyncClient) -> None:
    client = await demo_client(runtime, http)
    data = await client.query(SUMMARY)
    cases = data["cases"]["nodes"]
    assert data["cases"]["totalCount"] == 80
    for case in cases:
        steps = [(c["fromCategory"], c["toCategory"]) for c in case["statusHistory"]]
        assert steps[0] == (None, "NEW")
        assert all(to in TRANSITIONS[before] for before, to in steps[1:])
        assert steps[-1][1] == case["statusCategory"]
    assert all(
        data[k]["totalCount"] > 0
        for k in (
            "slaPolicies",
            "escalationRules",
            "articles",
            "assets",
            "workOrders",
            "serviceSchedules",
            "surveyInvitations",
        )
    )
    # Timers stored by the loader are what the services compute: slaStatus recomputes them.
    for case in cases[:20]:
        status = await client.query(
            "query($id: ID!) { slaStatus(caseId: $id) { timers { metric state targetAt } } }",
            {"id": case["id"]},
        )
        fresh = {t["metric"]: (t["state"], t["targetAt"]) for t in status["slaStatus"]["timers"]}
        stored = {t["metric"]: (t["state"], t["targetAt"]) for t in case["timers"]}
        # A running timer may have breached in the seconds since loading; none other moves.
        for metric, (state, at) in stored.items():
            if state != "RUNNING":
                assert fresh[metric] == (state, at), (case["id"], metric)
    today = datetime.now(UTC).date()
    report = await client.query(
        "query($p: ServicePeriod!) { serviceLevels(period: $p, groupBy: PRIORITY) { key opened resolved } "
        "complaintSummary(period: $p) { count } surveyResults(period: $p, groupBy: CATEGORY) { sent } }",
        {"p": {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat()}},
    )
    assert sum(r["opened"] for r in report["serviceLevels"]) == 80
    assert sum(r["count"] for r in report["complaintSummary"]) > 0
    assert sum(r["sent"] for r in report["surveyResults"]) > 0
