"""Checks every plugin's update tests share: what a record reads as, and that an update giving
nulls for what the record needs is refused, naming each field, and changes nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client

REASONS = "errors { field code reason message }"


def update_mutation(mutation: str, input_type: str, key: str, fields: str) -> str:
    """``mutation(id: $id, input: $i)`` returning ``key { fields }`` and the errors' reasons."""
    return (
        f"mutation($id: ID!, $i: {input_type}!) {{ {mutation}(id: $id, input: $i) {{ "
        f"{key} {{ {fields} }} {REASONS} }} }}"
    )


async def read_node(client: Client, node_id: str, kind: str, fields: str) -> dict[str, Any]:
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on {kind} {{ {fields} }} }} }}"
    return dict((await client.query(query, {"id": node_id}))["node"])


def cannot_clear(*fields: str) -> list[tuple[str, str, str]]:
    """The errors refusing a null for each of ``fields`` (input field names)."""
    return [(f"input.{field}", "REQUIRED", "CORE_CANNOT_CLEAR") for field in sorted(fields)]


async def refused_nulls(
    client: Client,
    mutation: str,
    node_id: str,
    kind: str,
    fields: str,
    nulls: dict[str, Any],
) -> list[tuple[str, str, str]]:
    """The errors of an update giving ``nulls``, once it is seen to have changed nothing."""
    before = await read_node(client, node_id, kind, fields)
    result = next(iter((await client.query(mutation, {"id": node_id, "i": nulls})).values()))
    assert await read_node(client, node_id, kind, fields) == before
    assert next(value for key, value in result.items() if key != "errors") is None
    return sorted((e["field"], e["code"], e["reason"]) for e in result["errors"])
