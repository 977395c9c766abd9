"""Shared GraphQL snippets and builders for the sales tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client

ERRORS = "errors { field code message }"

OPPORTUNITY_FIELDS = """
id name amount currency probability probabilitySetByHand closedAt lostReason competitor
customerId ownerId stage { id name category } pipeline { id name }
"""


def payload(data: dict[str, Any]) -> dict[str, Any]:
    """The one mutation payload in ``data``."""
    return next(iter(data.values()))


async def ok(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """A mutation payload that must carry no errors."""
    result = payload(await client.query(query, variables))
    assert result["errors"] == [], result["errors"]
    return result


async def error_codes(
    client: Client, query: str, variables: dict[str, Any] | None = None
) -> list[str]:
    result = payload(await client.query(query, variables))
    return [e["code"] for e in result["errors"]]


async def customer(client: Client, name: str = "Acme") -> str:
    result = await ok(
        client,
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } "
        + ERRORS
        + " } }",
        {"i": {"kind": "ORGANIZATION", "organizationName": name}},
    )
    return result["customer"]["id"]


async def opportunity(client: Client, customer_id: str, **fields: Any) -> dict[str, Any]:
    result = await ok(
        client,
        "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { "
        + OPPORTUNITY_FIELDS
        + " } "
        + ERRORS
        + " } }",
        {"i": {"name": "Deal", "customerId": customer_id, "currency": "EUR", **fields}},
    )
    return result["opportunity"]


async def stages(client: Client, pipeline_id: str | None = None) -> dict[str, str]:
    """Stage name -> id of a pipeline (the default one when not given)."""
    data = await client.query(
        "{ pipelines(first: 50) { nodes { id isDefault stages { id name } } } }"
    )
    pipelines = data["pipelines"]["nodes"]
    chosen = next(
        p for p in pipelines if (p["id"] == pipeline_id if pipeline_id else p["isDefault"])
    )
    return {stage["name"]: stage["id"] for stage in chosen["stages"]}


MOVE = (
    "mutation($id: ID!, $stage: ID!, $reason: String, $competitor: String) { "
    "moveOpportunity(id: $id, stageId: $stage, lostReason: $reason, competitor: $competitor) { "
    "opportunity { " + OPPORTUNITY_FIELDS + " } " + ERRORS + " } }"
)
REOPEN = (
    "mutation($id: ID!, $stage: ID) { reopenOpportunity(id: $id, stageId: $stage) { "
    "opportunity { " + OPPORTUNITY_FIELDS + " } " + ERRORS + " } }"
)


async def me(client: Client) -> str:
    """The global id of the client's own user."""
    return (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]


async def product(client: Client, sku: str, family: str | None, prices: dict[str, str]) -> str:
    created = await ok(
        client,
        "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } "
        + ERRORS
        + " } }",
        {"i": {"sku": sku, "name": f"Product {sku}", "family": family}},
    )
    product_id = created["product"]["id"]
    for currency, price in prices.items():
        await ok(
            client,
            "mutation($p: ID!, $c: String!, $u: Decimal!) { setProductPrice(productId: $p, "
            "currency: $c, unitPrice: $u) { product { id } " + ERRORS + " } }",
            {"p": product_id, "c": currency, "u": price},
        )
    return product_id
