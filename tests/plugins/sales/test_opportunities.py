"""Opportunities: creation on the default pipeline, stage moves, closing, reopening, history."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from strawberry import relay

from rapport.core.auth import find_workspace
from rapport.core.models import AuditEntry
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from tests.conftest import Client
from tests.plugins.sales.helpers import (
    ERRORS,
    MOVE,
    OPPORTUNITY_FIELDS,
    REOPEN,
    customer,
    error_codes,
    ok,
    opportunity,
    payload,
    stages,
)


async def test_first_opportunity_creates_the_default_pipeline(client: Client) -> None:
    assert (await client.query("{ pipelines { totalCount } }"))["pipelines"]["totalCount"] == 0
    acme = await customer(client)
    deal = await opportunity(client, acme, amount="1200.50")
    assert deal["stage"]["name"] == "Prospecting"
    assert deal["probability"] == 10
    assert deal["probabilitySetByHand"] is False
    assert deal["amount"] == "1200.50"
    assert deal["customerId"] == acme
    names = list(await stages(client))
    assert names == ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won", "Lost"]
    data = await client.query("{ pipelines { totalCount nodes { isDefault } } }")
    assert data["pipelines"]["totalCount"] == 1


async def test_move_win_and_reopen_are_recorded(client: Client) -> None:
    deal = await opportunity(client, await customer(client), amount="500")
    ids = await stages(client)
    moved = await ok(client, MOVE, {"id": deal["id"], "stage": ids["Proposal"]})
    assert moved["opportunity"]["probability"] == 50
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { weightedAmount } } }",
        {"id": deal["id"]},
    )
    assert data["node"]["weightedAmount"] == "250.00"
    won = await ok(client, MOVE, {"id": deal["id"], "stage": ids["Won"]})
    assert won["opportunity"]["stage"]["category"] == "WON"
    assert won["opportunity"]["closedAt"] is not None
    assert won["opportunity"]["probability"] == 100
    # A closed deal does not move; it is reopened.
    codes = await error_codes(client, MOVE, {"id": deal["id"], "stage": ids["Negotiation"]})
    assert codes == ["INVALID_TRANSITION"]
    reopened = await ok(client, REOPEN, {"id": deal["id"], "stage": ids["Negotiation"]})
    assert reopened["opportunity"]["closedAt"] is None
    assert reopened["opportunity"]["probability"] == 75
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { stageHistory { "
        "fromStageId toStageId reopened changedById } } } }",
        {"id": deal["id"]},
    )
    history = data["node"]["stageHistory"]
    assert [h["toStageId"] for h in history] == [
        ids["Prospecting"],
        ids["Proposal"],
        ids["Won"],
        ids["Negotiation"],
    ]
    assert history[0]["fromStageId"] is None
    assert [h["reopened"] for h in history] == [False, False, False, True]
    assert all(h["changedById"] for h in history)


async def test_lost_needs_reason_and_competitor(client: Client) -> None:
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    result = payload(await client.query(MOVE, {"id": deal["id"], "stage": ids["Lost"]}))
    assert sorted((e["field"], e["code"]) for e in result["errors"]) == [
        ("competitor", "REQUIRED"),
        ("lostReason", "REQUIRED"),
    ]
    assert result["opportunity"] is None
    lost = await ok(
        client,
        MOVE,
        {"id": deal["id"], "stage": ids["Lost"], "reason": "price", "competitor": "Globex"},
    )
    assert lost["opportunity"]["lostReason"] == "price"
    assert lost["opportunity"]["competitor"] == "Globex"
    assert lost["opportunity"]["probability"] == 0
    reopened = await ok(client, REOPEN, {"id": deal["id"]})
    assert reopened["opportunity"]["stage"]["name"] == "Prospecting"
    assert reopened["opportunity"]["lostReason"] is None


async def test_illegal_moves_change_nothing(client: Client) -> None:
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    # Into the stage it is in.
    codes = await error_codes(client, MOVE, {"id": deal["id"], "stage": ids["Prospecting"]})
    assert codes == ["INVALID_TRANSITION"]
    # Reopening an open deal.
    assert await error_codes(client, REOPEN, {"id": deal["id"]}) == ["INVALID_TRANSITION"]
    # A stage of another pipeline.
    other = await ok(
        client,
        'mutation { createPipeline(input: {name: "Renewals", stages: ['
        '{name: "Open", probability: 40}, {name: "Renewed", probability: 100, category: WON}]})'
        " { pipeline { id stages { id } } " + ERRORS + " } }",
    )
    foreign_stage = other["pipeline"]["stages"][0]["id"]
    codes = await error_codes(client, MOVE, {"id": deal["id"], "stage": foreign_stage})
    assert codes == ["INVALID_TRANSITION"]
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { stage { name } "
        "stageHistory { toStageId } } } }",
        {"id": deal["id"]},
    )
    assert data["node"]["stage"]["name"] == "Prospecting"
    assert len(data["node"]["stageHistory"]) == 1


async def test_probability_by_hand_survives_stage_moves_until_reset(client: Client) -> None:
    deal = await opportunity(client, await customer(client), probability=33)
    assert deal["probability"] == 33
    assert deal["probabilitySetByHand"] is True
    ids = await stages(client)
    moved = await ok(client, MOVE, {"id": deal["id"], "stage": ids["Proposal"]})
    assert moved["opportunity"]["probability"] == 33
    reset = await ok(
        client,
        "mutation($id: ID!) { updateOpportunity(id: $id, input: {}, resetProbability: true) {"
        " opportunity { " + OPPORTUNITY_FIELDS + " } " + ERRORS + " } }",
        {"id": deal["id"]},
    )
    assert reset["opportunity"]["probability"] == 50
    assert reset["opportunity"]["probabilitySetByHand"] is False
    await ok(client, MOVE, {"id": deal["id"], "stage": ids["Won"]})
    codes = await error_codes(
        client,
        "mutation($id: ID!) { updateOpportunity(id: $id, input: {probability: 20}) { "
        + ERRORS
        + " } }",
        {"id": deal["id"]},
    )
    assert codes == ["INVALID_TRANSITION"]


async def test_bad_input_is_reported_per_field(client: Client) -> None:
    acme = await customer(client)
    result = payload(
        await client.query(
            "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } "
            + ERRORS
            + " } }",
            {
                "i": {
                    "name": " ",
                    "customerId": acme,
                    "currency": "euro",
                    "amount": "-1",
                    "probability": 140,
                }
            },
        )
    )
    fields = sorted(e["field"] for e in result["errors"])
    assert fields == ["input.amount", "input.currency", "input.name", "input.probability"]
    assert (await client.query("{ opportunities { totalCount } }"))["opportunities"][
        "totalCount"
    ] == 0


async def test_workspace_boundary(client: Client, other_client: Client) -> None:
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    data = await other_client.query(
        "query($id: ID!) { node(id: $id) { id } opportunities { totalCount } "
        "pipelines { totalCount } }",
        {"id": deal["id"]},
    )
    assert data == {
        "node": None,
        "opportunities": {"totalCount": 0},
        "pipelines": {"totalCount": 0},
    }
    codes = await error_codes(other_client, MOVE, {"id": deal["id"], "stage": ids["Won"]})
    assert codes == ["NOT_FOUND"]
    # Their customer id is unknown here too.
    theirs = await customer(other_client, "Initech")
    result = payload(
        await client.query(
            "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { "
            + ERRORS
            + " } }",
            {"i": {"name": "x", "customerId": theirs, "currency": "EUR"}},
        )
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("input.customerId", "NOT_FOUND")
    ]


async def test_viewer_reads_but_cannot_write(client: Client, runtime: Runtime) -> None:
    deal = await opportunity(client, await customer(client))
    viewer = await client.as_role(runtime, "viewer")
    data = await viewer.query("{ opportunities { totalCount } }")
    assert data["opportunities"]["totalCount"] == 1
    ids = await stages(client)
    body = await viewer.post(MOVE, {"id": deal["id"], "stage": ids["Won"]})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    member = await client.as_role(runtime, "member")
    body = await member.post(
        'mutation { createPipeline(input: {name: "X", stages: [{name: "A", probability: 1}]})'
        " { pipeline { id } } }"
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    moved = await ok(member, MOVE, {"id": deal["id"], "stage": ids["Qualification"]})
    assert moved["opportunity"]["stage"]["name"] == "Qualification"


async def test_reopening_is_audited(client: Client, runtime: Runtime) -> None:
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    await ok(
        client,
        MOVE,
        {"id": deal["id"], "stage": ids["Lost"], "reason": "budget", "competitor": "Globex"},
    )
    await ok(client, REOPEN, {"id": deal["id"]})
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    row_id = uuid.UUID(relay.GlobalID.from_id(deal["id"]).node_id)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        entries = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.changes)
                .where(AuditEntry.entity_id == row_id)
                .order_by(AuditEntry.occurred_at)
            )
        ).all()
    assert [action for action, _ in entries] == ["create", "stage_change", "reopen"]
    reopen = entries[-1][1]
    assert reopen["stage"] == ["Lost", "Prospecting"]
    assert reopen["lost_reason"] == ["budget", None]


async def test_a_stale_version_is_a_conflict(client: Client) -> None:
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    versioned_move = (
        "mutation($id: ID!, $stage: ID!, $v: Int) { moveOpportunity(id: $id, stageId: $stage, "
        "version: $v) { opportunity { version stage { name } } " + ERRORS + " } }"
    )
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { version } } }", {"id": deal["id"]}
    )
    seen = data["node"]["version"]
    moved = await ok(
        client, versioned_move, {"id": deal["id"], "stage": ids["Proposal"], "v": seen}
    )
    assert moved["opportunity"]["version"] == seen + 1
    # Someone who read the old version is told, and nothing moves.
    stale = payload(
        await client.query(versioned_move, {"id": deal["id"], "stage": ids["Won"], "v": seen})
    )
    assert [(e["field"], e["code"]) for e in stale["errors"]] == [("version", "CONFLICT")]
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { stage { name } } } }",
        {"id": deal["id"]},
    )
    assert data["node"]["stage"]["name"] == "Proposal"


async def test_update_clears_with_null_refuses_null_for_required_and_keeps_the_rest(
    client: Client,
) -> None:
    deal = await opportunity(
        client, await customer(client), amount="900", expectedCloseDate="2030-01-31"
    )
    owner = deal["ownerId"]
    assert owner is not None
    update = (
        "mutation($id: ID!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, input: $i)"
        " { opportunity { name amount expectedCloseDate ownerId } " + ERRORS + " } }"
    )
    cleared = await ok(client, update, {"id": deal["id"], "i": {"expectedCloseDate": None}})
    assert cleared["opportunity"] == {
        "name": "Deal",
        "amount": "900.00",
        "expectedCloseDate": None,
        "ownerId": owner,
    }
    refused = payload(
        await client.query(update, {"id": deal["id"], "i": {"name": None, "ownerId": None}})
    )
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("input.name", "REQUIRED")]
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { name ownerId } } }",
        {"id": deal["id"]},
    )
    assert data["node"] == {"name": "Deal", "ownerId": owner}
    body = await client.post(
        'mutation($c: ID!) { createOpportunity(input: {customerId: $c, currency: "EUR"}) '
        "{ " + ERRORS + " } }",
        {"c": deal["customerId"]},
    )
    assert "required field 'name'" in body["errors"][0]["message"]
