"""Failures that are not bugs get a code and say whether a retry can succeed; bugs are masked."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.services import customers as customer_service
from rapport.schema.failures import classify, retryable
from tests.conftest import Client

CREATE = """mutation($name: String!) {
  createCustomer(input: {kind: PERSON, lastName: $name}) { customer { id version } errors { code } }
}"""
RENAME = """mutation($id: ID!, $version: Int) {
  updateCustomer(id: $id, input: {lastName: "Renamed"}, version: $version) {
    customer { id } errors { field code message retryable }
  }
}"""


async def test_a_write_that_lost_a_race_is_a_conflict_to_retry(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = (await client.query(CREATE, {"name": "Racer"}))["createCustomer"]["customer"]

    async def lose(*_args: Any, **_kwargs: Any) -> Any:
        raise StaleDataError("UPDATE statement on table 'customers' expected to update 1 row")

    monkeypatch.setattr(customer_service, "update_customer", lose)
    body = await client.post(RENAME, {"id": created["id"], "version": created["version"]})
    assert "errors" not in body
    [error] = body["data"]["updateCustomer"]["errors"]
    assert error["code"] == "CONFLICT"
    assert error["retryable"] is True
    assert "customers" not in error["message"]  # nothing of the SQL leaves
    monkeypatch.undo()
    still = await client.query(
        "query($id: ID!) { customer(id: $id) { lastName version } }", {"id": created["id"]}
    )
    assert still["customer"] == {"lastName": "Racer", "version": created["version"]}


async def test_a_bug_is_masked_coded_and_not_retryable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = (await client.query(CREATE, {"name": "Buggy"}))["createCustomer"]["customer"]

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(customer_service, "update_customer", broken)
    body = await client.post(RENAME, {"id": created["id"], "version": created["version"]})
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "retryable": False}


async def test_every_top_level_error_says_whether_to_retry(client: Client) -> None:
    for query in ("{ nothingHere }", "{ customer(id: 1) { id } }", "{ viewer { role "):
        body = await client.post(query)
        for error in body["errors"]:
            assert isinstance(error["extensions"]["retryable"], bool), (query, error)
            assert error["extensions"]["code"], (query, error)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_database_is_a_503_to_retry_later() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/gone"
    app = create_app(Settings(database_url=url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for body in ({"query": "{ viewer { role } }"}, {"query": "{ __typename }"}):
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": "Bearer rpk_whatever"}
            )
            assert response.status_code == 503
            assert response.headers["retry-after"].isdigit()
            [error] = response.json()["errors"]
            assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}


async def test_concurrent_writers_queue_instead_of_failing(
    client: Client, other_client: Client
) -> None:
    """Two clients writing at once (SQLite's one writer included): every write lands."""
    many = """mutation { a: createCustomer(input: {kind: PERSON, lastName: "Queue"}) {
      customer { id } errors { code message } } }"""

    async def writes(who: Client) -> list[Any]:
        answers = []
        for _ in range(15):
            answers.append(await who.post(many))
        return answers

    results = await asyncio.gather(writes(client), writes(other_client), writes(client))
    for body in (answer for answers in results for answer in answers):
        assert "errors" not in body, body
        assert body["data"]["a"]["errors"] == [], body
        assert body["data"]["a"]["customer"]["id"]


async def test_no_statement_runs_past_the_statement_timeout(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no statement timeout; a query there runs in the server process")
    runtime = Runtime.create(Settings(database_url=database_url, statement_timeout=0.2))
    try:
        async with runtime.engine.connect() as connection:
            with pytest.raises(DBAPIError) as raised:
                await connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        await runtime.dispose()
    failure = classify(raised.value)
    assert failure is not None
    assert failure.code == "QUERY_TIMEOUT"
    assert not retryable(failure.code)


async def test_only_unexpected_failures_are_logged(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await client.post("{ nothingHere }")
    await client.post("{ customer(id: 1) { id } }")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    created = (await client.query(CREATE, {"name": "Logged"}))["createCustomer"]["customer"]

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(customer_service, "update_customer", broken)
    await client.post(RENAME, {"id": created["id"], "version": created["version"]})
    assert [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_text_with_a_nul_character_is_refused_on_both_engines(client: Client) -> None:
    before = await client.query(
        '{ customers(filter: {lastName: {startsWith: "Nul"}}) { totalCount } }'
    )
    headers = {"Authorization": f"Bearer {client.key}"}
    body = {"query": CREATE, "variables": {"name": "Nul\u0000"}}
    response = await client.http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "retryable": False,
        "field": "variables.name",
    }
    assert error["message"].startswith("variables.name: ")
    assert "NUL" in error["message"]
    deep = {"query": CREATE, "variables": {"name": "x", "tags": [{"a": ["ok", "b\u0000"]}]}}
    response = await client.http.post("/graphql", json=deep, headers=headers)
    assert response.json()["errors"][0]["extensions"]["field"] == "variables.tags[0].a[1]"
    after = await client.query(
        '{ customers(filter: {lastName: {startsWith: "Nul"}}) { totalCount } }'
    )
    assert after == before
