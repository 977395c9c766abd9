"""Shared GraphQL snippets and builders for the marketing tests."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry import relay

from rapport.core.auth import find_workspace
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, error_codes, ok, payload

__all__ = [
    "ERRORS",
    "add_segment",
    "campaign",
    "contact",
    "error_codes",
    "error_reasons",
    "ok",
    "payload",
    "person",
    "row_id",
    "segment",
    "workspace_id",
]

CREATE_CUSTOMER = (
    "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } "
    + ERRORS
    + " } }"
)


async def person(client: Client, name: str, **fields: Any) -> str:
    first, _, last = name.partition(" ")
    values = {"kind": "PERSON", "firstName": first, "lastName": last or "X", **fields}
    return (await ok(client, CREATE_CUSTOMER, {"i": values}))["customer"]["id"]


async def contact(client: Client, customer_id: str, email: str) -> None:
    await ok(
        client,
        "mutation($c: ID!, $i: AddContactPointInput!) { addContactPoint(customerId: $c, input: $i) "
        "{ contactPoint { id } " + ERRORS + " } }",
        {"c": customer_id, "i": {"kind": "EMAIL", "value": email, "isPrimary": True}},
    )


async def segment(client: Client, name: str, **fields: Any) -> str:
    result = await ok(
        client,
        "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } "
        + ERRORS
        + " } }",
        {"i": {"name": name, **fields}},
    )
    return result["segment"]["id"]


async def campaign(client: Client, name: str, **fields: Any) -> str:
    values = {"name": name, "channel": "email", "currency": "EUR", **fields}
    result = await ok(
        client,
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } "
        + ERRORS
        + " } }",
        {"i": values},
    )
    return result["campaign"]["id"]


ADD_SEGMENT = (
    "mutation($c: ID!, $s: ID!) { addSegmentToCampaign(campaignId: $c, segmentId: $s) { "
    "added excluded { customerId reason } excludedCounts { reason count } " + ERRORS + " } }"
)


async def add_segment(client: Client, campaign_id: str, segment_id: str) -> dict[str, Any]:
    return await ok(client, ADD_SEGMENT, {"c": campaign_id, "s": segment_id})


async def error_reasons(
    client: Client, query: str, variables: dict[str, Any] | None = None
) -> list[tuple[str, str | None]]:
    """The payload's errors as (code, reason): the generic code and the precise one."""
    asked = query.replace(ERRORS, "errors { field code reason message }")
    assert asked != query, "the mutation asks for the standard error fields"
    result = payload(await client.query(asked, variables))
    return [(e["code"], e["reason"]) for e in result["errors"]]


def row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.GlobalID.from_id(global_id).node_id)


async def workspace_id(runtime: Runtime, client: Client) -> uuid.UUID:
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    return workspace.id
