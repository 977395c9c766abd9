"""``Idempotency-Key``: a mutation retried with the same key writes once, on both engines."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from rapport.core.db import utcnow
from rapport.core.errors import Conflict
from rapport.core.idempotency import Claimed, expire_idempotency_keys, mark_applied
from rapport.core.models import Customer, IdempotencyRecord, Workspace
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from tests.conftest import Client

CREATE = """mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id displayName } errors { field code } }
}"""
ADA = {"input": {"kind": "PERSON", "firstName": "Ada", "lastName": "Lovelace"}}


async def send(
    client: Client, key: str | None, variables: dict[str, Any] = ADA, query: str = CREATE
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {client.key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def customers_named(runtime: Runtime, name: str, client: Client) -> int:
    """Customers of that name in the client's workspace (the database serves many tests)."""
    async with unscoped_session(runtime.sessions) as session:
        statement = (
            select(func.count())
            .select_from(Customer)
            .join(Workspace, Workspace.id == Customer.workspace_id)
            .where(Customer.display_name == name, Workspace.name == client.workspace)
        )
        return int((await session.execute(statement)).scalar_one())


async def test_a_retry_with_the_same_key_creates_once(client: Client, runtime: Runtime) -> None:
    key = f"create-{uuid.uuid4()}"
    first = await send(client, key)
    again = await send(client, key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()  # the same customer, replayed
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await customers_named(runtime, "Ada Lovelace", client) == 1


async def test_without_a_key_each_request_writes(client: Client, runtime: Runtime) -> None:
    await send(client, None)
    await send(client, None)
    assert await customers_named(runtime, "Ada Lovelace", client) == 2


async def test_a_key_reused_for_another_request_is_refused(
    client: Client, runtime: Runtime
) -> None:
    key = f"reuse-{uuid.uuid4()}"
    assert (await send(client, key)).status_code == 200
    other = {"input": {"kind": "PERSON", "firstName": "Grace", "lastName": "Hopper"}}
    refused = await send(client, key, other)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["extensions"] == {"code": "IDEMPOTENCY_KEY_REUSED", "retryable": False}
    assert await customers_named(runtime, "Grace Hopper", client) == 0


async def test_concurrent_retries_write_once(client: Client, runtime: Runtime) -> None:
    key = f"race-{uuid.uuid4()}"
    answers = await asyncio.gather(*(send(client, key) for _ in range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    for answer in answers:
        if answer.status_code == 409:
            error = answer.json()["errors"][0]
            assert error["extensions"] == {"code": "IDEMPOTENCY_KEY_IN_USE", "retryable": True}
            assert answer.headers["retry-after"] == "1"
    assert await customers_named(runtime, "Ada Lovelace", client) == 1


async def test_a_request_that_wrote_nothing_leaves_its_key_free(
    client: Client, runtime: Runtime
) -> None:
    key = f"invalid-{uuid.uuid4()}"
    refused = await send(client, key, {"input": {"kind": "PERSON"}})
    assert refused.json()["data"]["createCustomer"]["errors"][0]["code"] == "REQUIRED"
    # Nothing was written: the key is free, for the corrected request too.
    fixed = await send(client, key)
    assert fixed.json()["data"]["createCustomer"]["customer"]["displayName"] == "Ada Lovelace"
    assert await customers_named(runtime, "Ada Lovelace", client) == 1


async def test_keys_belong_to_their_caller(client: Client, runtime: Runtime) -> None:
    key = f"mine-{uuid.uuid4()}"
    other = await client.as_role(runtime, "admin", email="other@example.com")
    await send(client, key)
    second = await send(other, key)
    assert "idempotent-replayed" not in second.headers
    assert await customers_named(runtime, "Ada Lovelace", client) == 2


async def test_queries_ignore_the_key(client: Client) -> None:
    key = f"query-{uuid.uuid4()}"
    first = await send(client, key, {}, "{ viewer { role } }")
    again = await send(client, key, {}, "{ viewer { role } }")
    assert first.json() == again.json() == {"data": {"viewer": {"role": "admin"}}}
    assert "idempotent-replayed" not in again.headers


async def test_a_key_that_is_too_long_is_refused(client: Client) -> None:
    refused = await send(client, "k" * 256)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_dead_claim_is_taken_over_and_its_late_write_fails(
    client: Client, runtime: Runtime
) -> None:
    # A claim whose request died before writing: old enough, a retry takes it over.
    key = f"dead-{uuid.uuid4()}"
    assert (await send(client, key)).status_code == 200
    async with unscoped_session(runtime.sessions) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(
                state="claimed",
                response=None,
                claimed_at=utcnow() - timedelta(seconds=runtime.settings.idempotency_claim_seconds),
            )
        )
    retried = await send(client, key)
    assert retried.json()["data"]["createCustomer"]["customer"] is not None
    assert "idempotent-replayed" not in retried.headers


async def test_kept_keys_expire(client: Client, runtime: Runtime) -> None:
    key = f"old-{uuid.uuid4()}"
    await send(client, key)
    async with unscoped_session(runtime.sessions) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert await expire_idempotency_keys(runtime.sessions) >= 1
    again = await send(client, key)
    assert "idempotent-replayed" not in again.headers
    assert await customers_named(runtime, "Ada Lovelace", client) == 2


async def test_a_request_that_wrote_and_died_is_not_run_again(
    client: Client, runtime: Runtime
) -> None:
    key = f"lost-{uuid.uuid4()}"
    await send(client, key)
    async with unscoped_session(runtime.sessions) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(
                state="applied",
                response=None,
                claimed_at=utcnow() - timedelta(seconds=runtime.settings.idempotency_claim_seconds),
            )
        )
    refused = await send(client, key)
    assert refused.status_code == 409
    error = refused.json()["errors"][0]
    assert error["extensions"] == {"code": "IDEMPOTENT_REQUEST_APPLIED", "retryable": False}
    assert await customers_named(runtime, "Ada Lovelace", client) == 1


IMPORT = """mutation($csv: String!) {
  importCustomers(csv: $csv, mapping: [{column: "name", field: "lastName"}], dedupe: CREATE) {
    report { rows created } errors { field code }
  }
}"""


async def test_an_import_retried_with_its_key_imports_once(
    client: Client, runtime: Runtime
) -> None:
    key = f"import-{uuid.uuid4()}"
    csv = {"csv": "name\nBabbage\nBabbage\n"}
    first = await send(client, key, csv, IMPORT)
    again = await send(client, key, csv, IMPORT)
    assert first.json()["data"]["importCustomers"]["report"] == {"rows": 2, "created": 2}
    assert again.json() == first.json()
    assert await customers_named(runtime, "Babbage", client) == 2


async def test_a_late_write_under_a_taken_over_claim_fails(
    client: Client, runtime: Runtime
) -> None:
    key = f"late-{uuid.uuid4()}"
    await send(client, key)
    async with unscoped_session(runtime.sessions) as session:
        record = (
            await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
        ).scalar_one()
    # The request that held an older claim writes after a retry took the key over.
    stale = Claimed(record.workspace_id, record.id, uuid.uuid4())
    async with unscoped_session(runtime.sessions) as session, session.begin():
        with pytest.raises(Conflict):
            await mark_applied(session, stale)
