"""`createCustomers`: per-item results, both modes, the cap, permission and tenancy."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client

BULK = """
mutation($inputs: [CreateCustomerInput!]!, $all: Boolean! = true) {
  createCustomers(inputs: $inputs, allOrNothing: $all) {
    createdCount
    results { index customer { displayName } errors { field code message } }
    errors { field code message }
  }
}
"""
COUNT = "{ customers { totalCount } }"
GOOD = [
    {"kind": "PERSON", "firstName": "Ada", "lastName": "Lovelace"},
    {"kind": "ORGANIZATION", "organizationName": "Analytical Engines Ltd"},
]
BAD = {"kind": "PERSON", "region": "Nowhere"}


async def test_all_valid_items_are_created(client: Client) -> None:
    data = await client.query(BULK, {"inputs": GOOD})
    payload = data["createCustomers"]
    assert payload["createdCount"] == 2
    assert payload["errors"] == []
    assert [r["customer"]["displayName"] for r in payload["results"]] == [
        "Ada Lovelace",
        "Analytical Engines Ltd",
    ]
    assert (await client.query(COUNT))["customers"]["totalCount"] == 2


async def test_one_bad_item_stops_all_or_nothing(client: Client) -> None:
    inputs = [GOOD[0], BAD, GOOD[1], {"kind": "PERSON", "lastName": "X", "attributes": [1]}]
    payload = (await client.query(BULK, {"inputs": inputs}))["createCustomers"]
    assert payload["createdCount"] == 0
    assert payload["errors"][0]["field"] == "inputs"
    results = payload["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert all(r["customer"] is None for r in results)
    assert results[0]["errors"] == []
    assert results[1]["errors"][0]["field"] == "inputs.1.lastName"
    assert results[1]["errors"][0]["code"] == "REQUIRED"
    assert results[3]["errors"][0]["field"] == "inputs.3.attributes"
    assert (await client.query(COUNT))["customers"]["totalCount"] == 0


async def test_per_item_mode_keeps_the_good_ones(client: Client) -> None:
    inputs = [GOOD[0], BAD, GOOD[1]]
    payload = (await client.query(BULK, {"inputs": inputs, "all": False}))["createCustomers"]
    assert payload["createdCount"] == 2
    assert payload["errors"] == []
    assert [bool(r["customer"]) for r in payload["results"]] == [True, False, True]
    assert payload["results"][1]["errors"][0]["field"] == "inputs.1.lastName"
    assert (await client.query(COUNT))["customers"]["totalCount"] == 2


async def test_at_most_a_hundred_items(client: Client) -> None:
    inputs = [{"kind": "PERSON", "lastName": f"P{i}"} for i in range(101)]
    payload = (await client.query(BULK, {"inputs": inputs}))["createCustomers"]
    assert payload["errors"][0]["code"] == "LIMIT_EXCEEDED"
    assert payload["results"] == []
    assert (await client.query(COUNT))["customers"]["totalCount"] == 0


async def test_viewer_may_not_and_workspaces_stay_apart(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(BULK, {"inputs": GOOD})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await client.query(BULK, {"inputs": GOOD})
    assert (await other_client.query(COUNT))["customers"]["totalCount"] == 0
