"""Campaigns: fields, hierarchy, transitions, member statuses and cost lines."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.marketing.helpers import (
    ERRORS,
    campaign,
    error_codes,
    error_reasons,
    ok,
    payload,
)

CAMPAIGN = "id name status channel currency budget parentId children { name } memberStatuses { id name responded isDefault } costs { category amount approved }"
CREATE = (
    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { "
    + CAMPAIGN
    + " } "
    + ERRORS
    + " } }"
)
UPDATE = (
    "mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { campaign { "
    + CAMPAIGN
    + " } "
    + ERRORS
    + " } }"
)
STATUS_FIELDS = "memberStatus { id name responded isDefault } " + ERRORS


def transition(name: str) -> str:
    return "mutation($id: ID!) { " + name + "(id: $id) { campaign { status } " + ERRORS + " } }"


COST = (
    "mutation($i: CampaignCostInput!) { recordCampaignCost(input: $i) { cost { id amount currency approved } "
    + ERRORS
    + " } }"
)


async def test_a_campaign_starts_planned_with_the_default_statuses(client: Client) -> None:
    created = await ok(
        client,
        CREATE,
        {"i": {"name": "Spring", "channel": "email", "currency": "EUR", "budget": "1000"}},
    )
    found = created["campaign"]
    assert found["status"] == "PLANNED"
    assert found["budget"] == "1000.00"
    statuses = {s["name"]: (s["responded"], s["isDefault"]) for s in found["memberStatuses"]}
    assert statuses["Sent"] == (False, True)
    assert statuses["Responded"] == (True, False)


async def test_bad_fields_are_refused_by_field_and_nothing_is_written(client: Client) -> None:
    result = payload(
        await client.query(
            CREATE,
            {
                "i": {
                    "name": " ",
                    "channel": "carrier pigeon",
                    "currency": "eur",
                    "budget": "-1",
                    "startsOn": "2026-05-02",
                    "endsOn": "2026-05-01",
                }
            },
        )
    )
    fields = sorted(e["field"] for e in result["errors"])
    assert fields == [
        "input.budget",
        "input.channel",
        "input.currency",
        "input.endsOn",
        "input.name",
    ]
    assert (await client.query("{ campaigns { totalCount } }"))["campaigns"]["totalCount"] == 0


async def test_channels_can_be_added_per_workspace(client: Client, other_client: Client) -> None:
    added = await ok(
        client,
        'mutation { addCampaignChannel(key: "podcast", label: "Podcast") { channel { key builtIn } '
        + ERRORS
        + " } }",
    )
    assert added["channel"] == {"key": "podcast", "builtIn": False}
    await campaign(client, "Pod", channel="podcast")
    theirs = await other_client.query("{ campaignChannels { key } }")
    assert "podcast" not in {c["key"] for c in theirs["campaignChannels"]}
    assert "email" in {c["key"] for c in theirs["campaignChannels"]}


async def test_the_hierarchy_has_no_cycles_and_one_currency(client: Client) -> None:
    root = await campaign(client, "Root")
    child = await campaign(client, "Child", parentId=root)
    grandchild = await campaign(client, "Grandchild", parentId=child)
    found = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Campaign { children { name children { name } } } } }",
        {"id": root},
    )
    assert found["node"]["children"] == [{"name": "Child", "children": [{"name": "Grandchild"}]}]
    loop = payload(await client.query(UPDATE, {"id": root, "i": {"parentId": grandchild}}))
    assert [e["field"] for e in loop["errors"]] == ["input.parentId"]
    other = payload(
        await client.query(
            CREATE, {"i": {"name": "Dollar", "channel": "sms", "currency": "USD", "parentId": root}}
        )
    )
    assert [e["field"] for e in other["errors"]] == ["input.currency"]


async def test_status_transitions(client: Client) -> None:
    one = await campaign(client, "One")
    assert await error_reasons(client, transition("completeCampaign"), {"id": one}) == [
        ("INVALID_TRANSITION", "MARKETING_ILLEGAL_TRANSITION")
    ]
    assert (await ok(client, transition("activateCampaign"), {"id": one}))["campaign"][
        "status"
    ] == "ACTIVE"
    assert (await ok(client, transition("completeCampaign"), {"id": one}))["campaign"][
        "status"
    ] == "COMPLETED"
    assert await error_codes(client, transition("abortCampaign"), {"id": one}) == [
        "INVALID_TRANSITION"
    ]
    assert await error_reasons(client, UPDATE, {"id": one, "i": {"budget": "5"}}) == [
        ("INVALID_TRANSITION", "MARKETING_CAMPAIGN_CLOSED")
    ]
    two = await campaign(client, "Two")
    assert (await ok(client, transition("abortCampaign"), {"id": two}))["campaign"][
        "status"
    ] == "ABORTED"
    assert await error_codes(client, transition("activateCampaign"), {"id": two}) == [
        "INVALID_TRANSITION"
    ]


async def test_member_statuses_keep_one_default_and_a_responded_one(client: Client) -> None:
    created = await ok(client, CREATE, {"i": {"name": "S", "channel": "event", "currency": "EUR"}})
    campaign_id = created["campaign"]["id"]
    statuses = {s["name"]: s["id"] for s in created["campaign"]["memberStatuses"]}
    added = await ok(
        client,
        "mutation($c: ID!, $i: CreateMemberStatusInput!) { addMemberStatus(campaignId: $c, input: $i) { "
        + STATUS_FIELDS
        + " } }",
        {"c": campaign_id, "i": {"name": "Attended", "responded": True, "isDefault": True}},
    )
    assert added["memberStatus"]["isDefault"] is True
    after = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Campaign { memberStatuses { name isDefault } } } }",
        {"id": campaign_id},
    )
    assert [s["name"] for s in after["node"]["memberStatuses"] if s["isDefault"]] == ["Attended"]
    undefault = (
        "mutation($id: ID!, $i: UpdateMemberStatusInput!) { updateMemberStatus(id: $id, input: $i) { "
        + STATUS_FIELDS
        + " } }"
    )
    assert await error_codes(
        client, undefault, {"id": added["memberStatus"]["id"], "i": {"isDefault": False}}
    ) == ["INVALID"]
    duplicate = await error_codes(
        client, undefault, {"id": statuses["Sent"], "i": {"name": "Attended"}}
    )
    assert duplicate == ["CONFLICT"]
    remove = "mutation($id: ID!) { removeMemberStatus(id: $id) { " + STATUS_FIELDS + " } }"
    await ok(client, remove, {"id": statuses["Opened"]})
    for name in ("Clicked", "Responded", "Converted"):
        await ok(client, remove, {"id": statuses[name]})
    # Attended is the last responded status and the default: it stays.
    assert await error_codes(client, remove, {"id": added["memberStatus"]["id"]}) == ["INVALID"]


async def test_cost_lines(client: Client, runtime: Runtime) -> None:
    spring = await campaign(client, "Spring", budget="500")
    line = await ok(
        client,
        COST,
        {
            "i": {
                "campaignId": spring,
                "category": "design",
                "amount": "120.5",
                "incurredOn": "2026-03-01",
            }
        },
    )
    assert line["cost"] == {
        "id": line["cost"]["id"],
        "amount": "120.50",
        "currency": "EUR",
        "approved": False,
    }
    wrong = payload(
        await client.query(
            COST,
            {
                "i": {
                    "campaignId": spring,
                    "category": " ",
                    "amount": "0",
                    "currency": "USD",
                    "incurredOn": "2026-03-01",
                }
            },
        )
    )
    assert sorted(e["field"] for e in wrong["errors"]) == [
        "input.amount",
        "input.category",
        "input.currency",
    ]
    approve = (
        "mutation($id: ID!) { approveCampaignCost(id: $id) { cost { approved } " + ERRORS + " } }"
    )
    withdraw = "mutation($id: ID!) { withdrawCampaignCost(id: $id) { cost { id } " + ERRORS + " } }"
    member = await client.as_role(runtime, "member")
    denied = await member.post(approve, {"id": line["cost"]["id"]})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await ok(client, approve, {"id": line["cost"]["id"]}))["cost"]["approved"] is True
    assert await error_codes(client, approve, {"id": line["cost"]["id"]}) == ["INVALID_TRANSITION"]
    assert await error_codes(client, withdraw, {"id": line["cost"]["id"]}) == ["INVALID_TRANSITION"]
    listed = await client.query(
        "{ campaignCosts(filter: {approved: {eq: true}}) { totalCount nodes { amount campaign { name } } } }"
    )
    assert listed["campaignCosts"] == {
        "totalCount": 1,
        "nodes": [{"amount": "120.50", "campaign": {"name": "Spring"}}],
    }


async def test_budgets_and_costs_are_amounts(client: Client) -> None:
    for budget, reason in (
        ("NaN", "CORE_NOT_A_NUMBER"),
        ("1e30", "CORE_OUT_OF_RANGE"),
        ("10.001", "CORE_TOO_MANY_DECIMALS"),
        ("-1", "CORE_NEGATIVE"),
    ):
        given = {
            "name": f"Budget {budget}",
            "channel": "email",
            "currency": "EUR",
            "budget": budget,
        }
        assert await error_reasons(client, CREATE, {"i": given}) == [("INVALID", reason)], budget
    yen = await campaign(client, "Tokyo", currency="JPY")
    for amount, reason in (("0.5", "CORE_TOO_MANY_DECIMALS"), ("Infinity", "CORE_NOT_A_NUMBER")):
        given = {"campaignId": yen, "category": "ads", "amount": amount, "incurredOn": "2026-03-01"}
        assert await error_reasons(client, COST, {"i": given}) == [("INVALID", reason)], amount
