"""Phones in E.164, read in the deployment's default region; emails checked by their syntax."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from rapport.core import Settings
from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from tests.conftest import Client, new_workspace_client
from tests.schema.factories import person, run

ADD = """
mutation($customer: ID!, $input: AddContactPointInput!) {
  addContactPoint(customerId: $customer, input: $input) {
    contactPoint { id value normalizedValue } errors { field code reason }
  }
}
"""
DUPLICATES = """
query($id: ID!) { customerDuplicates(id: $id) { customer { id } reasons { kind } } }
"""


@pytest.fixture
async def british(runtime: Runtime) -> AsyncIterator[Client]:
    """A client of a deployment whose numbers without a country code are British."""
    settings = Settings(database_url=runtime.settings.database_url, default_phone_region="GB")
    own = Runtime.create(settings)
    app = create_app(settings, runtime=own)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield await new_workspace_client(own, http)
    await own.dispose()


async def add(client: Client, customer: str, kind: str, value: str) -> dict:
    data = await client.query(ADD, {"customer": customer, "input": {"kind": kind, "value": value}})
    return data["addContactPoint"]


async def test_a_national_and_an_international_number_are_one(british: Client) -> None:
    ada = await person(british, "Ada", "Lovelace")
    byron = await person(british, "A.", "Byron")
    local = await add(british, ada, "PHONE", "07946 123456")
    international = await add(british, byron, "PHONE", "+44 7946 123456")
    assert local["contactPoint"]["normalizedValue"] == "+447946123456"
    assert international["contactPoint"]["normalizedValue"] == "+447946123456"
    assert local["contactPoint"]["value"] == "07946 123456"  # kept as given
    found = (await british.query(DUPLICATES, {"id": ada}))["customerDuplicates"]
    assert [(f["customer"]["id"], f["reasons"][0]["kind"]) for f in found] == [(byron, "PHONE")]


async def test_without_a_region_a_number_needs_its_country_code(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    refused = await add(client, ada, "PHONE", "07946 123456")
    assert refused["errors"] == [
        {"field": "input.value", "code": "INVALID", "reason": "CORE_CONTACT_VALUE_INVALID"}
    ]
    kept = await run(
        client, ADD, {"customer": ada, "input": {"kind": "PHONE", "value": "+1 (415) 555-0100"}}
    )
    assert kept["contactPoint"]["normalizedValue"] == "+14155550100"


@pytest.mark.parametrize(
    "value", ["ada..lovelace@example.org", "ada@example..org", "ada@-example.org"]
)
async def test_emails_are_checked_by_their_syntax(client: Client, value: str) -> None:
    ada = await person(client, "Ada", "Lovelace")
    assert (await add(client, ada, "EMAIL", value))["errors"] == [
        {"field": "input.value", "code": "INVALID", "reason": "CORE_CONTACT_VALUE_INVALID"}
    ]


async def test_an_email_is_normalised_without_the_network(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    point = await add(client, ada, "EMAIL", " Ada@Lovelace.Example ")
    assert point["errors"] == []
    assert point["contactPoint"]["normalizedValue"] == "ada@lovelace.example"
