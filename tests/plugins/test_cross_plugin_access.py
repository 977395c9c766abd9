"""A plugin that limits customers limits every other plugin's customer data with them."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.banking.conftest import Bank
from tests.plugins.sales.helpers import opportunity


async def test_a_manager_sees_no_deals_of_another_managers_client(
    client: Client, runtime: Runtime
) -> None:
    bank = Bank(client, runtime)
    anna, ben = await bank.manager("anna"), await bank.manager("ben")
    annas_client = await bank.customer("Ada Client")
    bens_client = await bank.customer("Bert Client")
    await bank.assign(anna, annas_client)
    await bank.assign(ben, bens_client)
    annas_deal = await opportunity(client, annas_client, name="Anna's deal")
    bens_deal = await opportunity(client, bens_client, name="Ben's deal")

    query = """query($theirs: ID!) {
      opportunities { totalCount nodes { name } }
      node(id: $theirs) { id }
    }"""
    seen = await anna.client.query(query, {"theirs": bens_deal["id"]})
    assert [n["name"] for n in seen["opportunities"]["nodes"]] == ["Anna's deal"]
    assert seen["opportunities"]["totalCount"] == 1
    assert seen["node"] is None
    mine = await anna.client.query(query, {"theirs": annas_deal["id"]})
    assert mine["node"] == {"id": annas_deal["id"]}
    # The admin is not limited.
    everything = await client.query("{ opportunities { totalCount } }")
    assert everything["opportunities"]["totalCount"] == 2


async def test_search_fills_a_managers_page_from_their_own_book(
    client: Client, runtime: Runtime
) -> None:
    bank = Bank(client, runtime)
    anna, ben = await bank.manager("anna"), await bank.manager("ben")
    for index in range(12):
        await bank.assign(ben, await bank.customer(f"Smith Other{index}"))
    mine = [await bank.customer(f"Smith Mine{index}") for index in range(2)]
    for customer_id in mine:
        await bank.assign(anna, customer_id)
    data = await anna.client.query(
        '{ search(query: "smith", first: 2, types: [CUSTOMER]) { nodes { customer { id } } } }'
    )
    assert sorted(hit["customer"]["id"] for hit in data["search"]["nodes"]) == sorted(mine)
