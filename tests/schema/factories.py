"""Small builders the schema tests share: records made through the public API."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Client

CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id displayName version } errors { field code message } }
}
"""


def global_id(type_name: str, row_id: str) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


async def run(client: Client, mutation: str, variables: dict[str, Any] | None = None) -> Any:
    """The single payload of ``mutation``, which must report no errors."""
    data = await client.query(mutation, variables)
    payload = next(iter(data.values()))
    assert payload["errors"] == [], payload["errors"]
    return payload


async def errors_of(client: Client, mutation: str, variables: dict[str, Any] | None = None) -> Any:
    """The payload errors of ``mutation`` as ``(field, code)`` pairs."""
    data = await client.query(mutation, variables)
    payload = next(iter(data.values()))
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def person(client: Client, first: str, last: str, **extra: Any) -> str:
    payload = await run(
        client,
        CREATE_CUSTOMER,
        {"input": {"kind": "PERSON", "firstName": first, "lastName": last, **extra}},
    )
    return str(payload["customer"]["id"])


async def organization(client: Client, name: str, **extra: Any) -> str:
    payload = await run(
        client,
        CREATE_CUSTOMER,
        {"input": {"kind": "ORGANIZATION", "organizationName": name, **extra}},
    )
    return str(payload["customer"]["id"])


LOG_INTERACTION = """
mutation($input: LogInteractionInput!) {
  logInteraction(input: $input) {
    interaction { id kind occurredAt subject }
    errors { field code message }
  }
}
"""


async def interaction(client: Client, customer: str, kind: str, at: str, **extra: Any) -> str:
    payload = await run(
        client,
        LOG_INTERACTION,
        {"input": {"customerId": customer, "kind": kind, "occurredAt": at, **extra}},
    )
    return str(payload["interaction"]["id"])


CREATE_TASK = """
mutation($input: CreateTaskInput!) {
  createTask(input: $input) {
    task { id title status dueAt version recurrence }
    errors { field code message }
  }
}
"""


async def task(client: Client, title: str, **extra: Any) -> dict[str, Any]:
    payload = await run(client, CREATE_TASK, {"input": {"title": title, **extra}})
    return dict(payload["task"])


CREATE_RELATIONSHIP = """
mutation($input: CreateRelationshipInput!) {
  createRelationship(input: $input) {
    relationship { id type role startDate endDate }
    errors { field code message }
  }
}
"""


async def relate(client: Client, source: str, kind: str, target: str, **extra: Any) -> str:
    payload = await run(
        client,
        CREATE_RELATIONSHIP,
        {"input": {"type": kind, "fromId": source, "toId": target, **extra}},
    )
    return str(payload["relationship"]["id"])
