"""What is refused at the door: text with NUL or lone surrogates, text over its column's limit,
implausible dates, the same relationship twice, relationships between the wrong kinds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from rapport.core import (
    CoreErrorCode,
    CustomerFields,
    Operation,
    User,
    ValidationFailed,
    create_customer,
    tenant_session,
)
from rapport.core.auth import Actor
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_workspace
from tests.conftest import Client
from tests.schema.factories import CREATE_CUSTOMER, organization, person, relate

CREATE_WITH_REASON = CREATE_CUSTOMER.replace(
    "errors { field code message }", "errors { field code reason message }"
)
CREATE_RELATIONSHIP = """
mutation($input: CreateRelationshipInput!) {
  createRelationship(input: $input) { relationship { id } errors { field code reason } }
}
"""
CREATE_TASK = """
mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } errors { field code reason } } }
"""


async def refusal(client: Client, mutation: str, variables: dict[str, Any]) -> list[tuple]:
    data = await client.query(mutation, variables)
    payload = next(iter(data.values()))
    return [(e["field"], e["code"], e["reason"]) for e in payload["errors"]]


async def customer_count(client: Client) -> int:
    return int((await client.query("{ customers { totalCount } }"))["customers"]["totalCount"])


@pytest.mark.parametrize(
    ("given", "field", "reason"),
    [
        ({"region": "x" * 1_000_000}, "input.region", "CORE_TOO_LONG"),
        ({"firstName": "A" * 101}, "input.firstName", "CORE_TOO_LONG"),
        ({"notes": "n" * 20_001}, "input.notes", "CORE_TOO_LONG"),
        ({"tags": ["t" * 65]}, "input.tags.0", "CORE_TOO_LONG"),
        ({"birthDate": "0001-01-01"}, "input.birthDate", "CORE_OUT_OF_RANGE"),
    ],
)
async def test_bad_customer_text_and_dates_are_refused(
    client: Client, given: dict[str, Any], field: str, reason: str
) -> None:
    before = await customer_count(client)
    variables = {"input": {"kind": "PERSON", "lastName": "Lovelace", **given}}
    assert await refusal(client, CREATE_WITH_REASON, variables) == [(field, "INVALID", reason)]
    assert await customer_count(client) == before


@pytest.mark.parametrize("field", ["region", "firstName", "notes"])
async def test_a_nul_in_a_literal_is_refused_on_its_field(client: Client, field: str) -> None:
    # Variables with a NUL never get past the HTTP layer; a literal's escape reaches the service.
    mutation = (
        'mutation { createCustomer(input: {kind: PERSON, lastName: "Lovelace", '
        + field
        + ': "Lon\\u0000don"}) { customer { id } errors { field code reason } } }'
    )
    before = await customer_count(client)
    assert await refusal(client, mutation, {}) == [
        (f"input.{field}", "INVALID", "CORE_CONTROL_CHARACTER")
    ]
    assert await customer_count(client) == before


async def test_a_lone_surrogate_is_refused_by_any_service(runtime: Runtime) -> None:
    workspace = await create_workspace(runtime, f"text-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session:
        user = User(email="a@b.co", display_name="A", role="admin")
        session.add(user)
        await session.flush()
        op = Operation(session, Actor(workspace.id, user.id, "admin", frozenset()), runtime.host)
        with pytest.raises(ValidationFailed) as refused:
            await create_customer(op, CustomerFields(kind="person", last_name="Lo\ud800ve"))
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("input.lastName", CoreErrorCode.CONTROL_CHARACTER)
    ]


async def test_text_at_its_limit_is_kept(client: Client) -> None:
    await person(client, "A" * 100, "Lovelace", region="r" * 100, notes="n" * 20_000)
    await person(client, "Grace", "Hopper", birthDate="1906-12-09")


async def test_task_dates_must_be_plausible(client: Client) -> None:
    given = {"title": "call back", "dueAt": "9999-01-01T00:00:00Z"}
    assert await refusal(client, CREATE_TASK, {"input": given}) == [
        ("input.dueAt", "INVALID", "CORE_OUT_OF_RANGE")
    ]


async def test_the_same_relationship_twice_is_refused(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")
    await relate(client, ada, "employee_of", acme, startDate="2020-01-01", endDate="2020-12-31")

    async def create(**given: object) -> list[tuple]:
        edge = {"type": "employee_of", "fromId": ada, "toId": acme, **given}
        return await refusal(client, CREATE_RELATIONSHIP, {"input": edge})

    duplicate = [("input.toId", "DUPLICATE", "CORE_DUPLICATE_RELATIONSHIP")]
    assert await create(startDate="2020-06-01") == duplicate  # open-ended, overlaps
    assert await create(startDate="2019-01-01", endDate="2020-01-01") == duplicate
    assert await create() == duplicate  # no dates: always
    # Another stint later on is another edge.
    assert await create(startDate="2022-01-01") == []


async def test_a_symmetric_relationship_read_backwards_is_the_same(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    william = await person(client, "William", "King")
    await relate(client, ada, "spouse_of", william)
    edge = {"type": "spouse_of", "fromId": william, "toId": ada}
    assert await refusal(client, CREATE_RELATIONSHIP, {"input": edge}) == [
        ("input.toId", "DUPLICATE", "CORE_DUPLICATE_RELATIONSHIP")
    ]


async def test_a_type_joins_only_the_kinds_it_declares(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")
    initech = await organization(client, "Initech")

    async def create(kind: str, from_id: str, to_id: str) -> list[tuple]:
        edge = {"type": kind, "fromId": from_id, "toId": to_id}
        return await refusal(client, CREATE_RELATIONSHIP, {"input": edge})

    assert await create("employee_of", acme, ada) == [
        ("input.fromId", "INVALID", "CORE_WRONG_CUSTOMER_KIND"),
        ("input.toId", "INVALID", "CORE_WRONG_CUSTOMER_KIND"),
    ]
    assert await create("spouse_of", ada, acme) == [
        ("input.toId", "INVALID", "CORE_WRONG_CUSTOMER_KIND")
    ]
    assert await create("subsidiary_of", initech, acme) == []
    assert await create("referred_by", ada, acme) == []  # any kinds
    # Self-edges stay refused.
    assert await create("partner_of", acme, acme) == [
        ("input.toId", "INVALID", "CORE_SELF_RELATIONSHIP")
    ]
