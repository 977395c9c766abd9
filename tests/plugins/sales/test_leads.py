"""Leads: every transition, the illegal ones, and conversion in one transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from strawberry import relay

from rapport.core.auth import find_workspace
from rapport.core.models import ContactPoint
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, customer, error_codes, ok, payload

LEAD = "id status disqualifyReason customerId convertedAt opportunity { id name customerId amount }"
CREATE = (
    "mutation($i: LeadInput!) { createLead(input: $i) { lead { " + LEAD + " } " + ERRORS + " } }"
)
START = "mutation($id: ID!) { startWorkingLead(id: $id) { lead { " + LEAD + " } " + ERRORS + " } }"
QUALIFY = "mutation($id: ID!) { qualifyLead(id: $id) { lead { " + LEAD + " } " + ERRORS + " } }"
DISQUALIFY = (
    "mutation($id: ID!, $reason: String!) { disqualifyLead(id: $id, reason: $reason) { lead { "
    + LEAD
    + " } "
    + ERRORS
    + " } }"
)
CONVERT = (
    "mutation($id: ID!, $i: ConvertLeadInput!) { convertLead(id: $id, input: $i) { lead { "
    + LEAD
    + " } opportunity { id name amount customerId } "
    + ERRORS
    + " } }"
)


async def contact_points(runtime: Runtime, client: Client, customer_id: str) -> list[tuple]:
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    row_id = uuid.UUID(relay.GlobalID.from_id(customer_id).node_id)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        rows = await session.execute(
            select(ContactPoint.kind, ContactPoint.normalized_value, ContactPoint.is_primary)
            .where(ContactPoint.customer_id == row_id)
            .order_by(ContactPoint.kind)
        )
        return [tuple(row) for row in rows]


async def new_lead(client: Client, **fields: object) -> dict:
    values = {"firstName": "Ada", "lastName": "Lovelace", "company": "Engines Ltd", **fields}
    return (await ok(client, CREATE, {"i": values}))["lead"]


async def status_of(client: Client, lead_id: str) -> str:
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Lead { status } } }", {"id": lead_id}
    )
    return data["node"]["status"]


async def test_new_working_qualified_converted(client: Client, runtime: Runtime) -> None:
    lead = await new_lead(client, email="Ada@Engines.example", phone="+44 20 7946 0000")
    assert lead["status"] == "NEW"
    assert (await ok(client, START, {"id": lead["id"]}))["lead"]["status"] == "WORKING"
    assert (await ok(client, QUALIFY, {"id": lead["id"]}))["lead"]["status"] == "QUALIFIED"
    converted = await ok(
        client, CONVERT, {"id": lead["id"], "i": {"currency": "EUR", "amount": "900"}}
    )
    assert converted["lead"]["status"] == "CONVERTED"
    assert converted["lead"]["convertedAt"] is not None
    opportunity = converted["opportunity"]
    assert opportunity["name"] == "Engines Ltd"
    assert opportunity["amount"] == "900.00"
    assert converted["lead"]["customerId"] == opportunity["customerId"]
    assert converted["lead"]["opportunity"]["id"] == opportunity["id"]
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { displayName lifecycleStatus opportunities { totalCount } } }",
        {"id": opportunity["customerId"]},
    )
    assert data["customer"] == {
        "displayName": "Ada Lovelace",
        "lifecycleStatus": "PROSPECT",
        "opportunities": {"totalCount": 1},
    }
    assert await contact_points(runtime, client, opportunity["customerId"]) == [
        ("email", "ada@engines.example", True),
        ("phone", "+442079460000", True),
    ]
    # Converted is final.
    for mutation in (START, QUALIFY, CONVERT):
        variables = {"id": lead["id"], "i": {"currency": "EUR"}}
        assert await error_codes(client, mutation, variables) == ["INVALID_TRANSITION"]
    codes = await error_codes(client, DISQUALIFY, {"id": lead["id"], "reason": "late"})
    assert codes == ["INVALID_TRANSITION"]


async def test_conversion_links_an_existing_customer(client: Client) -> None:
    acme = await customer(client, "Acme")
    lead = await new_lead(client)
    await ok(client, START, {"id": lead["id"]})
    await ok(client, QUALIFY, {"id": lead["id"]})
    converted = await ok(
        client,
        CONVERT,
        {
            "id": lead["id"],
            "i": {"customerId": acme, "currency": "USD", "opportunityName": "Pilot"},
        },
    )
    assert converted["opportunity"]["customerId"] == acme
    assert converted["opportunity"]["name"] == "Pilot"
    data = await client.query("{ customers { totalCount } }")
    assert data["customers"]["totalCount"] == 1


async def test_failed_conversion_leaves_nothing_behind(client: Client) -> None:
    lead = await new_lead(client)
    await ok(client, START, {"id": lead["id"]})
    await ok(client, QUALIFY, {"id": lead["id"]})
    # The customer would be created first; the bad currency then fails the opportunity.
    result = payload(await client.query(CONVERT, {"id": lead["id"], "i": {"currency": "euros"}}))
    assert [e["code"] for e in result["errors"]] == ["INVALID"]
    assert await status_of(client, lead["id"]) == "QUALIFIED"
    data = await client.query("{ customers { totalCount } opportunities { totalCount } }")
    assert data == {"customers": {"totalCount": 0}, "opportunities": {"totalCount": 0}}


async def test_illegal_lead_transitions(client: Client) -> None:
    lead = await new_lead(client)
    # Qualify and convert need working / qualified first.
    assert await error_codes(client, QUALIFY, {"id": lead["id"]}) == ["INVALID_TRANSITION"]
    codes = await error_codes(client, CONVERT, {"id": lead["id"], "i": {"currency": "EUR"}})
    assert codes == ["INVALID_TRANSITION"]
    await ok(client, START, {"id": lead["id"]})
    assert await error_codes(client, START, {"id": lead["id"]}) == ["INVALID_TRANSITION"]
    assert await status_of(client, lead["id"]) == "WORKING"


async def test_disqualify_needs_a_reason(client: Client) -> None:
    lead = await new_lead(client)
    result = payload(await client.query(DISQUALIFY, {"id": lead["id"], "reason": "  "}))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("reason", "REQUIRED")]
    assert await status_of(client, lead["id"]) == "NEW"
    done = await ok(client, DISQUALIFY, {"id": lead["id"], "reason": "no budget"})
    assert done["lead"]["status"] == "DISQUALIFIED"
    assert done["lead"]["disqualifyReason"] == "no budget"
    assert await error_codes(client, QUALIFY, {"id": lead["id"]}) == ["INVALID_TRANSITION"]


async def test_a_lead_needs_a_name_or_company(client: Client) -> None:
    result = payload(await client.query(CREATE, {"i": {"email": "nobody", "phone": "12"}}))
    assert sorted((e["field"], e["code"]) for e in result["errors"]) == [
        ("input.email", "INVALID"),
        ("input.lastName", "REQUIRED"),
        ("input.phone", "INVALID"),
    ]


async def test_leads_list_filters_and_boundary(client: Client, other_client: Client) -> None:
    first = await new_lead(client, source="web")
    await new_lead(client, lastName="Hopper", source="fair")
    await ok(client, START, {"id": first["id"]})
    data = await client.query(
        "{ leads(filter: {status: [WORKING]}) { totalCount } "
        'web: leads(filter: {source: {eq: "fair"}}) { nodes { lastName } } }'
    )
    assert data["leads"]["totalCount"] == 1
    assert data["web"]["nodes"] == [{"lastName": "Hopper"}]
    theirs = await other_client.query(
        "query($id: ID!) { leads { totalCount } node(id: $id) { id } }", {"id": first["id"]}
    )
    assert theirs == {"leads": {"totalCount": 0}, "node": None}
    assert await error_codes(other_client, QUALIFY, {"id": first["id"]}) == ["NOT_FOUND"]


async def test_viewer_cannot_create_leads(client: Client, runtime: Runtime) -> None:
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(CREATE, {"i": {"lastName": "X"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await viewer.query("{ leads { totalCount } }"))["leads"]["totalCount"] == 0


async def test_update_lead_until_it_is_converted(client: Client) -> None:
    lead = await new_lead(client)
    update = (
        "mutation($id: ID!, $i: LeadInput!) { updateLead(id: $id, input: $i) { lead { company "
        "email } " + ERRORS + " } }"
    )
    changed = await ok(
        client,
        update,
        {"id": lead["id"], "i": {"company": "Engines plc", "email": "ada@engines.example"}},
    )
    assert changed["lead"] == {"company": "Engines plc", "email": "ada@engines.example"}
    await ok(client, START, {"id": lead["id"]})
    await ok(client, QUALIFY, {"id": lead["id"]})
    await ok(client, CONVERT, {"id": lead["id"], "i": {"currency": "EUR"}})
    codes = await error_codes(client, update, {"id": lead["id"], "i": {"company": "Other"}})
    assert codes == ["INVALID_TRANSITION"]
