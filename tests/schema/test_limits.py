"""Abusive operations are stopped before they run; the validation cache still hits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from strawberry.extensions.validation_cache import _get_validate_cache

from rapport.core.auth import Actor
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.schema.build import build_schema
from rapport.schema.context import RequestContext
from tests.conftest import Client


def _codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_ordinary_operations_pass(client: Client) -> None:
    query = """
      fragment Row on Customer { id displayName }
      { viewer { user { id } } customers(first: 50) { edges { node { ...Row } } } }
    """
    assert "errors" not in await client.post(query)


async def test_operation_deeper_than_the_limit_is_refused(client: Client, runtime: Runtime) -> None:
    limit = runtime.settings.max_depth
    # customers > edges > node adds three levels; nest fragments on the viewer beyond the limit.
    query = "{ viewer " + "{ user " * (limit + 1) + "{ id }" + " }" * (limit + 1) + " }"
    body = await client.post(query)
    assert "QUERY_TOO_COMPLEX" in _codes(body)
    assert "levels deep" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(client: Client, runtime: Runtime) -> None:
    count = runtime.settings.max_aliases + 1
    query = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(count)) + " }"
    body = await client.post(query)
    assert "QUERY_TOO_COMPLEX" in _codes(body)
    assert "aliases" in body["errors"][0]["message"]


async def test_too_many_tokens_are_refused(client: Client, runtime: Runtime) -> None:
    fields = " ".join(["role"] * (runtime.settings.max_tokens + 10))
    body = await client.post("{ viewer { " + fields + " } }")
    assert body["errors"]
    assert "token" in body["errors"][0]["message"].lower()


async def test_cost_budget_counts_page_sizes(client: Client, runtime: Runtime) -> None:
    # Four nested connections of 100 cost far more than the budget.
    page = runtime.settings.max_page_size
    fields = " ".join(f"f{i}: displayName" for i in range(20))
    query = (
        "{ "
        + " ".join(
            f"c{i}: customers(first: {page}) {{ edges {{ node {{ {fields} }} }} }}"
            for i in range(25)
        )
        + " }"
    )
    body = await client.post(query)
    assert "QUERY_TOO_COMPLEX" in _codes(body)
    assert "costs" in " ".join(e["message"] for e in body["errors"])


def _fragment_bomb(levels: int) -> str:
    """Fragments that each spread the next twice: 2^levels paths, a few hundred bytes."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ customers(first: 100) {{ totalCount }} }}")
    return "{ ...F0 } " + " ".join(fragments)


async def test_a_fragment_bomb_is_refused_by_walking_each_fragment_once(client: Client) -> None:
    # Walking every path of 2^60 would never end: each fragment is measured once.
    body = await client.post(_fragment_bomb(60))
    assert "QUERY_TOO_COMPLEX" in _codes(body)
    assert "costs" in " ".join(e["message"] for e in body["errors"])


async def test_plain_lists_cost_their_items(client: Client) -> None:
    """Lists without paging arguments cost by their bound, not as one item."""
    other = "other { id displayName }"
    for _ in range(3):
        other = f"other {{ id relationships {{ {other} }} }}"
    query = f"{{ customers(first: 100) {{ edges {{ node {{ relationships {{ {other} }} }} }} }} }}"
    body = await client.post(query)
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "costs" in body["errors"][0]["message"]


async def test_page_size_is_capped(client: Client, runtime: Runtime) -> None:
    too_many = runtime.settings.max_page_size + 1
    body = await client.post(f"{{ customers(first: {too_many}) {{ totalCount }} }}")
    assert _codes(body) == ["BAD_USER_INPUT"]
    assert f"at most {runtime.settings.max_page_size}" in body["errors"][0]["message"]
    body = await client.post("{ customers(first: -1) { totalCount } }")
    assert _codes(body) == ["BAD_USER_INPUT"]


async def test_validation_cache_hits_across_requests() -> None:
    """The limit rules are made once per schema, so the validation cache keys stay equal."""
    runtime = Runtime.create(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    schema = build_schema(runtime)

    cache = _get_validate_cache(128)
    cache.cache_clear()
    query = "{ __typename }"
    actor = Actor(uuid.uuid4(), uuid.uuid4(), "admin", frozenset())
    for _ in range(3):
        result = await schema.execute(query, context_value=RequestContext(runtime, actor))
        assert result.errors is None
    info = cache.cache_info()
    assert info.misses == 1
    assert info.hits == 2


async def test_oversized_bodies_are_refused_before_reading(
    client: Client, runtime: Runtime
) -> None:
    padding = "#" + "x" * runtime.settings.max_body_bytes + "\n"
    response = await client.http.post(
        "/graphql",
        json={"query": padding + "{ viewer { role } }"},
        headers={"Authorization": f"Bearer {client.key}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_oversized_streamed_bodies_are_refused(client: Client, runtime: Runtime) -> None:
    chunk = b" " * 65536

    async def body() -> AsyncIterator[bytes]:
        for _ in range(runtime.settings.max_body_bytes // len(chunk) + 2):
            yield chunk

    response = await client.http.post(
        "/graphql",
        content=body(),
        headers={"Authorization": f"Bearer {client.key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_graphiql_introspection_passes_the_limits(client: Client) -> None:
    from graphql import get_introspection_query

    body = await client.post(
        get_introspection_query(descriptions=True, input_value_deprecation=True)
    )
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_bodies_that_are_not_json_get_a_coded_answer(client: Client) -> None:
    headers = {"Authorization": f"Bearer {client.key}", "Content-Type": "application/json"}
    deep = (
        '{"query": "{ viewer { role } }", "variables": {"v": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}"
    )
    for body in (deep, '{"query": "{ viewer { role } }"', "not json"):
        response = await client.http.post("/graphql", content=body, headers=headers)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
