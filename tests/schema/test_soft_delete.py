"""Interactions and tasks are deleted softly and come back with restore."""

from __future__ import annotations

import pytest

from tests.conftest import Client
from tests.schema.factories import interaction, person, task

CASES = [
    ("interaction", "deleteInteraction", "restoreInteraction", "interactions"),
    ("task", "deleteTask", "restoreTask", "tasks"),
]


async def _make(client: Client, kind: str) -> str:
    ada = await person(client, "Ada", "Soft")
    if kind == "interaction":
        return await interaction(client, ada, "call", "2025-05-01T09:00:00Z", subject="hello")
    return str((await task(client, "call back", customerId=ada))["id"])


async def _mutate(client: Client, name: str, record: str) -> list[dict]:
    data = await client.query(
        f"mutation($id: ID!) {{ {name}(id: $id) {{ errors {{ field code }} }} }}", {"id": record}
    )
    return data[name]["errors"]


async def _count(client: Client, listing: str) -> int:
    return (await client.query(f"{{ {listing} {{ totalCount }} }}"))[listing]["totalCount"]


@pytest.mark.parametrize(("kind", "delete", "restore", "listing"), CASES)
async def test_delete_hides_and_restore_brings_back(
    client: Client, kind: str, delete: str, restore: str, listing: str
) -> None:
    record = await _make(client, kind)
    assert await _mutate(client, restore, record) == [{"field": "id", "code": "CONFLICT"}]
    assert await _mutate(client, delete, record) == []
    assert await _count(client, listing) == 0
    assert await _mutate(client, delete, record) == [{"field": "id", "code": "NOT_FOUND"}]
    assert await _mutate(client, restore, record) == []
    assert await _count(client, listing) == 1


@pytest.mark.parametrize(("kind", "delete", "restore", "listing"), CASES)
async def test_another_workspace_can_neither_delete_nor_restore(
    client: Client, other_client: Client, kind: str, delete: str, restore: str, listing: str
) -> None:
    record = await _make(client, kind)
    assert await _mutate(other_client, delete, record) == [{"field": "id", "code": "NOT_FOUND"}]
    await _mutate(client, delete, record)
    assert await _mutate(other_client, restore, record) == [{"field": "id", "code": "NOT_FOUND"}]
    assert await _count(client, listing) == 0
