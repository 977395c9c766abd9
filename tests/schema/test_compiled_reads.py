"""Compiled reads answer exactly what the resolvers answer, in one SQL statement.

The same operations are sent to two apps over one database: one that compiles queries to SQL
and one that leaves them to the resolvers; the responses must be equal (after key order) for
an admin, a viewer and a key of another workspace. Each operation of the corpus must also have
been compiled, so that a fallback cannot pass for agreement.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from rapport.core.app import create_app
from rapport.core.auth import find_workspace
from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.models import ContactPoint, Customer, Interaction, Relationship, User
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.workspaces import create_api_key, create_workspace
from rapport.schema.compiled.reads import CompiledReads
from tests.schema.factories import global_id

CUSTOMER_FIELDS = """
  id kind displayName firstName lastName organizationName lifecycleStatus tags industry
  occupation birthDate region sourceChannel valueGrade churnRisk notes attributes createdAt
  updatedAt deletedAt version
"""

W1 = """
query W1 {
  customers(first: 100) {
    edges { node {
      id displayName kind
      contactPoints { kind value isPrimary }
      relationships { type label direction role other { id displayName } }
      recentInteractions(last: 5) { id kind occurredAt subject }
    } }
  }
}
"""

CORPUS: list[tuple[str, dict[str, Any]]] = [
    (W1, {}),
    (f"{{ customers(first: 7) {{ edges {{ node {{ {CUSTOMER_FIELDS} }} }} }} }}", {}),
    (
        """{ customers(first: 5, orderBy: [{field: DISPLAY_NAME, direction: DESC}]) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor node { id displayName owner { id email displayName role isActive createdAt } } }
        } }""",
        {},
    ),
    (
        """{ customers(last: 4, orderBy: [{field: UPDATED_AT}, {field: LIFECYCLE_STATUS, direction: DESC}]) {
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            nodes { displayName __typename } __typename
            edges { __typename cursor }
        } }""",
        {},
    ),
    (
        "{ customers(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }",
        {},
    ),
    ("{ customers { totalCount } }", {}),
    (
        """query($kind: CustomerKind, $statuses: [LifecycleStatus!]) {
          customers(first: 50, filter: {kind: $kind, lifecycleStatus: $statuses,
                    or: [{displayName: {startsWith: "A"}}, {industry: {isNull: false}}],
                    not: {region: {eq: "North"}}}) {
            totalCount edges { node { id displayName industry region lifecycleStatus } }
          } }""",
        {"kind": "PERSON", "statuses": ["ACTIVE", "PROSPECT", "LEAD"]},
    ),
    (
        """{ customers(first: 20, filter: {hasRelationship: {type: "household_member"}}) {
            edges { node { displayName
              relationships(direction: OUTGOING, types: ["household_member"]) {
                type label direction role startDate endDate
                relationship { id type role notes createdAt from { id } to { displayName } }
              } } } } }""",
        {},
    ),
    (
        """query($withPoints: Boolean!, $skipOwner: Boolean!) {
          first: customers(first: 3) { edges { node { ...Card } } }
          second: customers(first: 2, orderBy: [{field: CREATED_AT, direction: DESC}]) {
            edges { node { ... on Customer { id ...Card } } }
          }
          __typename
        }
        fragment Card on Customer {
          name: displayName
          contactPoints(kinds: [EMAIL, PHONE]) @include(if: $withPoints) {
            id kind label value normalizedValue isPrimary consentMarketing doNotContact verified
            createdAt updatedAt
          }
          owner @skip(if: $skipOwner) { id }
          recentInteractions(last: 2) {
            id kind channel direction occurredAt subject body outcome durationSeconds
            createdAt updatedAt customer { id } user { id email }
          }
        }""",
        {"withPoints": True, "skipOwner": False},
    ),
]


def compiled_reads_of(app: Any) -> CompiledReads:
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            return route.app.app.reads  # type: ignore[no-any-return]
    raise AssertionError("no /graphql route")


@pytest.fixture(scope="module")
async def resolver_runtime(runtime: Runtime) -> AsyncIterator[Runtime]:
    """A second runtime on the same database that never compiles."""
    other = Runtime.create(runtime.settings.with_overrides(compiled_reads=False))
    yield other
    await other.dispose()


@pytest.fixture(scope="module")
async def demo_workspace(runtime: Runtime) -> str:
    name = f"compiled-{uuid.uuid4().hex[:8]}"
    workspace = await create_workspace(runtime, name)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_core_demo(session, workspace, random.Random(3), size=DemoSize(customers=60))
    return name


class Pair:
    """One key, sent to the compiling app and to the resolver app."""

    def __init__(self, compiled: httpx.AsyncClient, resolved: httpx.AsyncClient, key: str):
        self.compiled, self.resolved, self.key = compiled, resolved, key

    async def both(self, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
        headers = {"Authorization": f"Bearer {self.key}"}
        body = {"query": query, "variables": variables}
        first = await self.compiled.post("/graphql", json=body, headers=headers)
        second = await self.resolved.post("/graphql", json=body, headers=headers)
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        return first.json(), second.json()


@pytest.fixture
async def apps(
    runtime: Runtime, resolver_runtime: Runtime
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, httpx.AsyncClient]]:
    compiled_app = create_app(runtime.settings, runtime=runtime)
    resolver_app = create_app(resolver_runtime.settings, runtime=resolver_runtime)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=compiled_app), base_url="http://t"
        ) as a,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=resolver_app), base_url="http://t"
        ) as b,
    ):
        yield compiled_app, a, b


def canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True)


async def agree(pair: Pair, reads: CompiledReads, query: str, variables: dict[str, Any]) -> Any:
    before = reads.statements_run
    compiled, resolved = await pair.both(query, variables)
    assert reads.statements_run == before + 1, f"not compiled: {query[:80]}"
    assert canonical(compiled) == canonical(resolved)
    return compiled


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_corpus_matches_the_resolvers(
    runtime: Runtime, demo_workspace: str, apps: Any, role: str
) -> None:
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    key = (await create_api_key(runtime, demo_workspace, role=role)).key
    pair = Pair(compiled, resolved, key)
    for query, variables in CORPUS:
        body = await agree(pair, reads, query, variables)
        assert "errors" not in body
    first = await agree(pair, reads, W1, {})
    assert len(first["data"]["customers"]["edges"]) == 60


async def test_pages_forwards_and_backwards(
    runtime: Runtime, demo_workspace: str, apps: Any
) -> None:
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    pair = Pair(
        compiled, resolved, (await create_api_key(runtime, demo_workspace, role="admin")).key
    )
    page = """query($first: Int, $after: String, $last: Int, $before: String) {
      customers(first: $first, after: $after, last: $last, before: $before,
                orderBy: [{field: DISPLAY_NAME}]) {
        edges { cursor node { displayName } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      } }"""
    seen: list[str] = []
    after = None
    while True:
        body = await agree(pair, reads, page, {"first": 17, "after": after})
        connection = body["data"]["customers"]
        seen += [edge["node"]["displayName"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == 60
    start = len(seen) - len(connection["edges"])
    before = connection["pageInfo"]["startCursor"]
    body = await agree(pair, reads, page, {"last": 5, "before": before})
    assert [e["node"]["displayName"] for e in body["data"]["customers"]["edges"]] == seen[
        start - 5 : start
    ]


async def test_nodes_by_id_and_lookups(runtime: Runtime, demo_workspace: str, apps: Any) -> None:
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    workspace_key = (await create_api_key(runtime, demo_workspace, role="admin")).key
    pair = Pair(compiled, resolved, workspace_key)
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, demo_workspace)
        assert workspace is not None
    found = {}
    async with tenant_session(runtime.sessions, workspace.id) as session:
        for model in (Customer, ContactPoint, Interaction, Relationship, User):
            row = (await session.execute(select(model.id).limit(1))).scalar_one()
            found[model.__name__] = global_id(model.__name__, str(row))
    query = """query($ids: [ID!]!, $one: ID!) {
      nodes(ids: $ids) { __typename id
        ... on Customer { displayName }
        ... on ContactPoint { value }
        ... on Interaction { subject customer { id } }
        ... on Relationship { type from { id } }
        ... on User { email }
      }
      node(id: $one) { id }
      customer(id: $one) { displayName mergedInto { id } }
      deleted: customer(id: $one, includeDeleted: true) { id }
    }"""
    ids = [*found.values(), global_id("Nope", "x"), global_id("Customer", str(uuid.uuid4()))]
    await agree(pair, reads, query, {"ids": ids, "one": found["Customer"]})
    listed = await pair.compiled.post(
        "/graphql",
        json={"query": "{ customers(first: 3) { edges { node { id } } } }"},
        headers={"Authorization": f"Bearer {workspace_key}"},
    )
    own = [edge["node"]["id"] for edge in listed.json()["data"]["customers"]["edges"]]
    body = await agree(pair, reads, query, {"ids": own, "one": own[0]})
    assert all(node is not None for node in body["data"]["nodes"])


async def test_another_workspace_sees_nothing(
    runtime: Runtime, demo_workspace: str, apps: Any
) -> None:
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    stranger_workspace = f"stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, stranger_workspace)
    pair = Pair(
        compiled, resolved, (await create_api_key(runtime, stranger_workspace, role="admin")).key
    )
    for query, variables in CORPUS:
        body = await agree(pair, reads, query, variables)
        for value in body["data"].values():
            if isinstance(value, dict) and "edges" in value:
                assert value["edges"] == []


async def test_w1_is_one_statement(runtime: Runtime, demo_workspace: str, apps: Any) -> None:
    _app, compiled, _resolved = apps
    key = (await create_api_key(runtime, demo_workspace, role="admin")).key
    headers = {"Authorization": f"Bearer {key}"}
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    for size in (5, 60):
        query = W1.replace("first: 100", f"first: {size}")
        await compiled.post("/graphql", json={"query": query}, headers=headers)  # key cached
        statements.clear()
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await compiled.post("/graphql", json={"query": query}, headers=headers)
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)
        assert len(response.json()["data"]["customers"]["edges"]) == size
        assert len(statements) == 1, statements


async def test_what_cannot_compile_falls_back(
    runtime: Runtime, demo_workspace: str, apps: Any
) -> None:
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    pair = Pair(
        compiled, resolved, (await create_api_key(runtime, demo_workspace, role="admin")).key
    )
    for query in (
        "{ customers(first: 2) { edges { node { age ageBand } } } }",  # computed in Python
        "{ viewer { role } }",
        '{ customers(first: 2, after: "not-a-cursor") { totalCount } }',
        "{ customers(first: 1000) { totalCount } }",
        "{ __schema { queryType { name } } }",
    ):
        before = reads.statements_run
        first, second = await pair.both(query, {})
        assert reads.statements_run == before
        assert canonical(first) == canonical(second)


async def test_access_shape_keys_the_plans(
    runtime: Runtime, demo_workspace: str, apps: Any
) -> None:
    """A caller whose permissions differ never reuses another's plan."""
    app, compiled, resolved = apps
    reads = compiled_reads_of(app)
    admin = Pair(
        compiled, resolved, (await create_api_key(runtime, demo_workspace, role="admin")).key
    )
    await agree(admin, reads, W1, {})
    restricted = await create_api_key(runtime, demo_workspace, role="viewer")
    pair = Pair(compiled, resolved, restricted.key)
    await agree(pair, reads, W1, {})
    shapes = {key[2] for key in reads._plans if key[0] == W1}
    assert len(shapes) == 2
