"""Funnel, win rate, forecast and quota attainment against figures worked out by hand.

The fixture is built through the API, then its stage history is dated by hand so the
figures below can be computed on paper (January 2026):

    deal  owner  territory  amount  history (day of January; o5 entered Prospecting on Dec 20)
    o1    A      EMEA       1000    P 1, Q 3, Proposal 7, Won 10
    o2    A      -           500    P 2, Q 6, Lost 8
    o3    B      France     2000    P 5, Q 9                   (open, 25 %, closes Jan 20)
    o4    B      -           300    P 4                        (open, 95 % by hand, Jan 25)
    o5    B      -           700    P Dec 20, Q 2, Won 12

France sits below EMEA. Quotas for January: A 1500, EMEA 2000.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from strawberry import relay

from rapport.core.auth import find_workspace
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.plugins.sales.models import Opportunity, StageChange
from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, MOVE, customer, me, ok, opportunity, stages

JANUARY = {"start": "2026-01-01", "end": "2026-01-31"}


def day(month: int, value: int) -> datetime:
    year = 2025 if month == 12 else 2026
    return datetime(year, month, value, 9, 0, tzinfo=UTC)


async def date_history(
    runtime: Runtime, client: Client, deal_id: str, days: list[datetime]
) -> None:
    """Give the deal's stage changes (oldest first) the given instants; closed_at the last."""
    row_id = uuid.UUID(relay.GlobalID.from_id(deal_id).node_id)
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        rows = (
            (
                await session.execute(
                    select(StageChange)
                    .where(StageChange.opportunity_id == row_id)
                    .order_by(StageChange.changed_at, StageChange.id)
                )
            )
            .scalars()
            .all()
        )
        assert len(rows) == len(days)
        for row, at in zip(rows, days, strict=True):
            row.changed_at = at
        deal = await session.get(Opportunity, (workspace.id, row_id))
        assert deal is not None
        if deal.closed_at is not None:
            deal.closed_at = days[-1]


async def build(client: Client, runtime: Runtime) -> dict[str, Any]:
    a = await me(client)
    b = await me(await client.as_role(runtime, "member", email="b@example.com"))
    emea = (
        await ok(
            client, 'mutation { createTerritory(name: "EMEA") { territory { id } ' + ERRORS + " } }"
        )
    )["territory"]["id"]
    france = (
        await ok(
            client,
            'mutation($p: ID!) { createTerritory(name: "France", parentId: $p) { territory { id } '
            + ERRORS
            + " } }",
            {"p": emea},
        )
    )["territory"]["id"]
    acme = await customer(client)
    o1 = await opportunity(
        client, acme, amount="1000", ownerId=a, territoryId=emea, expectedCloseDate="2026-01-10"
    )
    o2 = await opportunity(client, acme, amount="500", ownerId=a, expectedCloseDate="2026-01-08")
    o3 = await opportunity(
        client, acme, amount="2000", ownerId=b, territoryId=france, expectedCloseDate="2026-01-20"
    )
    o4 = await opportunity(
        client, acme, amount="300", ownerId=b, probability=95, expectedCloseDate="2026-01-25"
    )
    o5 = await opportunity(client, acme, amount="700", ownerId=b, expectedCloseDate="2026-01-12")
    ids = await stages(client)

    async def move(deal: dict[str, Any], *names: str) -> None:
        for name in names:
            variables = {"id": deal["id"], "stage": ids[name]}
            if name == "Lost":
                variables |= {"reason": "price", "competitor": "Globex"}
            await ok(client, MOVE, variables)

    await move(o1, "Qualification", "Proposal", "Won")
    await move(o2, "Qualification", "Lost")
    await move(o3, "Qualification")
    await move(o5, "Qualification", "Won")
    await date_history(runtime, client, o1["id"], [day(1, 1), day(1, 3), day(1, 7), day(1, 10)])
    await date_history(runtime, client, o2["id"], [day(1, 2), day(1, 6), day(1, 8)])
    await date_history(runtime, client, o3["id"], [day(1, 5), day(1, 9)])
    await date_history(runtime, client, o4["id"], [day(1, 4)])
    await date_history(runtime, client, o5["id"], [day(12, 20), day(1, 2), day(1, 12)])
    quota = "mutation($i: QuotaInput!) { setQuota(input: $i) { quota { id } " + ERRORS + " } }"
    period = {"periodStart": "2026-01-01", "periodEnd": "2026-01-31", "currency": "EUR"}
    await ok(client, quota, {"i": {"userId": a, "amount": "1500", **period}})
    await ok(client, quota, {"i": {"territoryId": emea, "amount": "2000", **period}})
    pipeline = (await client.query("{ pipelines { nodes { id } } }"))["pipelines"]["nodes"][0]["id"]
    return {"a": a, "b": b, "emea": emea, "france": france, "pipeline": pipeline}


async def test_sales_analytics_match_hand_computation(client: Client, runtime: Runtime) -> None:
    fixture = await build(client, runtime)
    data = await client.query(
        """query($p: ID!, $period: SalesPeriod!) {
          salesFunnel(pipelineId: $p, period: $period) {
            stage { name } entered converted conversionRate medianDaysInStage }
          owner: winRate(period: $period, groupBy: OWNER) {
            groupId won lost wonAmount lostAmount rateByCount rateByAmount }
          pipeline: winRate(period: $period, groupBy: PIPELINE) {
            groupId won lost rateByCount rateByAmount }
          forecast(period: $period) {
            total { closed weighted committed bestCase openCount quota }
            byOwner { groupId closed weighted committed bestCase openCount quota attainment }
            byTerritory { groupId closed weighted committed bestCase quota attainment } }
          quotaAttainment(period: $period) {
            quota { userId territoryId amount } achieved attainment }
        }""",
        {"p": fixture["pipeline"], "period": JANUARY},
    )
    funnel = [
        (
            s["stage"]["name"],
            s["entered"],
            s["converted"],
            s["conversionRate"],
            s["medianDaysInStage"],
        )
        for s in data["salesFunnel"]
    ]
    assert funnel == [
        ("Prospecting", 4, 3, "0.7500", "4.0"),
        ("Qualification", 4, 2, "0.5000", "4.0"),
        ("Proposal", 1, 1, "1.0000", "3.0"),
        ("Negotiation", 0, 0, None, None),
        ("Won", 2, 0, "0.0000", None),
        ("Lost", 1, 0, "0.0000", None),
    ]
    by_owner = {row["groupId"]: row for row in data["owner"]}
    assert by_owner[fixture["a"]] == {
        "groupId": fixture["a"],
        "won": 1,
        "lost": 1,
        "wonAmount": "1000.00",
        "lostAmount": "500.00",
        "rateByCount": "0.5000",
        "rateByAmount": "0.6667",
    }
    assert by_owner[fixture["b"]]["rateByCount"] == "1.0000"
    assert by_owner[fixture["b"]]["rateByAmount"] == "1.0000"
    assert data["pipeline"] == [
        {
            "groupId": fixture["pipeline"],
            "won": 2,
            "lost": 1,
            "rateByCount": "0.6667",
            "rateByAmount": "0.7727",
        }
    ]
    forecast = data["forecast"]
    assert forecast["total"] == {
        "closed": "1700.00",
        "weighted": "2485.00",
        "committed": "2000.00",
        "bestCase": "4000.00",
        "openCount": 2,
        "quota": None,
    }
    owners = {row["groupId"]: row for row in forecast["byOwner"]}
    assert owners[fixture["a"]] == {
        "groupId": fixture["a"],
        "closed": "1000.00",
        "weighted": "1000.00",
        "committed": "1000.00",
        "bestCase": "1000.00",
        "openCount": 0,
        "quota": "1500.00",
        "attainment": "0.6667",
    }
    assert owners[fixture["b"]] == {
        "groupId": fixture["b"],
        "closed": "700.00",
        "weighted": "1485.00",
        "committed": "1000.00",
        "bestCase": "3000.00",
        "openCount": 2,
        "quota": None,
        "attainment": None,
    }
    territories = {row["groupId"]: row for row in forecast["byTerritory"]}
    assert territories[fixture["emea"]] == {
        "groupId": fixture["emea"],
        "closed": "1000.00",
        "weighted": "1500.00",
        "committed": "1000.00",
        "bestCase": "3000.00",
        "quota": "2000.00",
        "attainment": "0.5000",
    }
    assert territories[fixture["france"]] == {
        "groupId": fixture["france"],
        "closed": "0",
        "weighted": "500.00",
        "committed": "0",
        "bestCase": "2000.00",
        "quota": None,
        "attainment": None,
    }
    attainment = {
        (row["quota"]["userId"] or row["quota"]["territoryId"]): (
            row["achieved"],
            row["attainment"],
        )
        for row in data["quotaAttainment"]
    }
    assert attainment == {
        fixture["a"]: ("1000.00", "0.6667"),
        fixture["emea"]: ("1000.00", "0.5000"),
    }


async def test_other_periods_and_workspaces_see_nothing(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    fixture = await build(client, runtime)
    february = {"start": "2026-02-01", "end": "2026-02-28"}
    data = await client.query(
        "query($p: ID!, $period: SalesPeriod!) { salesFunnel(pipelineId: $p, period: $period) "
        "{ entered } winRate(period: $period, groupBy: OWNER) { won } "
        "forecast(period: $period) { total { bestCase } } }",
        {"p": fixture["pipeline"], "period": february},
    )
    assert [s["entered"] for s in data["salesFunnel"]] == [0] * 6
    assert data["winRate"] == []
    assert data["forecast"]["total"]["bestCase"] == "0"
    theirs = await other_client.query(
        "query($p: ID!, $period: SalesPeriod!) { salesFunnel(pipelineId: $p, period: $period) "
        "{ entered } winRate(period: $period, groupBy: OWNER) { won } "
        "quotaAttainment(period: $period) { achieved } commissions(period: $period) { total } }",
        {"p": fixture["pipeline"], "period": JANUARY},
    )
    assert theirs == {"salesFunnel": [], "winRate": [], "quotaAttainment": [], "commissions": []}


async def test_a_reversed_period_is_refused(client: Client) -> None:
    body = await client.post(
        '{ winRate(period: {start: "2026-02-01", end: "2026-01-01"}, groupBy: OWNER) { won } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_id_of_another_type_is_refused(client: Client) -> None:
    acme = await customer(client)
    body = await client.post(
        'query($p: ID!) { salesFunnel(pipelineId: $p, period: {start: "2026-01-01", '
        'end: "2026-01-31"}) { entered } }',
        {"p": acme},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
