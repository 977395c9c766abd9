"""A list of customers with their deals costs the same statements whatever its length."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.sales.helpers import customer, opportunity
from tests.schema.test_customer_360 import counting_statements

CUSTOMERS_WITH_DEALS = """
query($first: Int!) {
  customers(first: $first, orderBy: [{field: DISPLAY_NAME}]) {
    nodes {
      displayName
      opportunities(first: 2, orderBy: [{field: NAME}]) {
        totalCount
        nodes { name }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


async def test_customer_connections_are_batched_and_correct(
    client: Client, runtime: Runtime
) -> None:
    for index in range(8):
        org = await customer(client, f"Org {index}")
        for deal in range(index % 4):
            await opportunity(client, org, name=f"Deal {index}.{deal}")
    counts = {}
    for size in (2, 8):
        with counting_statements(runtime) as statements:
            data = await client.query(CUSTOMERS_WITH_DEALS, {"first": size})
        counts[size] = len(statements)
    assert counts[2] == counts[8], counts
    pages = {n["displayName"]: n["opportunities"] for n in data["customers"]["nodes"]}
    assert pages["Org 0"]["totalCount"] == 0
    assert pages["Org 0"]["nodes"] == []
    assert pages["Org 3"]["totalCount"] == 3
    assert [n["name"] for n in pages["Org 3"]["nodes"]] == ["Deal 3.0", "Deal 3.1"]
    assert pages["Org 3"]["pageInfo"]["hasNextPage"] is True
    assert pages["Org 2"]["pageInfo"]["hasNextPage"] is False
    # The cursor continues the same customer's list.
    rest = await client.query(
        'query($after: String) { customers(filter: {displayName: {eq: "Org 3"}}) { nodes {'
        " opportunities(first: 2, after: $after, orderBy: [{field: NAME}]) { nodes { name } } } } }",
        {"after": pages["Org 3"]["pageInfo"]["endCursor"]},
    )
    assert [n["name"] for n in rest["customers"]["nodes"][0]["opportunities"]["nodes"]] == [
        "Deal 3.2"
    ]
