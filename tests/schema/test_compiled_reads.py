"""Compiled reads answer exactly what the resolvers answer, in one SQL statement.

The same operations are sent to two apps over one database: one that compiles queries to SQL
and one that leaves them to the resolvers; the responses must be equal (after key order) for
an admin, a viewer and a key of another workspace. Each operation of the corpus must also have
been compiled, so that a fallback cannot pass for agreement.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from rapport.core.auth import find_workspace
from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.models import ContactPoint, Customer, Interaction, Relationship, User
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.workspaces import create_workspace
from tests.compiled_pairs import Apps, canonical
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


@pytest.fixture(scope="module")
async def demo_workspace(runtime: Runtime) -> str:
    name = f"compiled-{uuid.uuid4().hex[:8]}"
    workspace = await create_workspace(runtime, name)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_core_demo(session, workspace, random.Random(3), size=DemoSize(customers=60))
    return name


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_corpus_matches_the_resolvers(demo_workspace: str, apps: Apps, role: str) -> None:
    pair = await apps.pair(demo_workspace, role)
    for query, variables in CORPUS:
        body = await pair.agree(query, variables)
        assert "errors" not in body
    first = await pair.agree(W1, {})
    assert len(first["data"]["customers"]["edges"]) == 60


async def test_pages_forwards_and_backwards(demo_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(demo_workspace)
    page = """query($first: Int, $after: String, $last: Int, $before: String) {
      customers(first: $first, after: $after, last: $last, before: $before,
                orderBy: [{field: DISPLAY_NAME}]) {
        edges { cursor node { displayName } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      } }"""
    seen: list[str] = []
    after = None
    while True:
        body = await pair.agree(page, {"first": 17, "after": after})
        connection = body["data"]["customers"]
        seen += [edge["node"]["displayName"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == 60
    start = len(seen) - len(connection["edges"])
    before = connection["pageInfo"]["startCursor"]
    body = await pair.agree(page, {"last": 5, "before": before})
    assert [e["node"]["displayName"] for e in body["data"]["customers"]["edges"]] == seen[
        start - 5 : start
    ]


async def test_nodes_by_id_and_lookups(runtime: Runtime, demo_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(demo_workspace)
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
    await pair.agree(query, {"ids": ids, "one": found["Customer"]})
    listed = await pair.compiled("{ customers(first: 3) { edges { node { id } } } }")
    own = [edge["node"]["id"] for edge in listed.json()["data"]["customers"]["edges"]]
    body = await pair.agree(query, {"ids": own, "one": own[0]})
    assert all(node is not None for node in body["data"]["nodes"])


async def test_another_workspace_sees_nothing(runtime: Runtime, apps: Apps) -> None:
    stranger_workspace = f"stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, stranger_workspace)
    pair = await apps.pair(stranger_workspace)
    for query, variables in CORPUS:
        body = await pair.agree(query, variables)
        for value in body["data"].values():
            if isinstance(value, dict) and "edges" in value:
                assert value["edges"] == []


async def test_replayed_sql_stays_with_its_caller(
    runtime: Runtime, demo_workspace: str, apps: Apps
) -> None:
    """The SQL kept from a first run is sent again only for the same statement and caller."""
    owner = await apps.pair(demo_workspace)
    first = await owner.agree(W1, {})
    again = await owner.agree(W1, {})  # replayed
    assert again == first
    assert len(first["data"]["customers"]["edges"]) == 60
    rendered = len(apps.reads._rendered)
    stranger_workspace = f"stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, stranger_workspace)
    stranger = await apps.pair(stranger_workspace)
    for _ in range(2):
        body = await stranger.agree(W1, {})
        assert body["data"]["customers"]["edges"] == []
    # Same document and permissions, another caller: its own rendering, not the owner's.
    assert len(apps.reads._rendered) == rendered + 1
    assert (await owner.agree(W1, {})) == first


async def test_w1_is_one_statement(runtime: Runtime, demo_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(demo_workspace)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # The cached key's check against the credentials epoch is authentication, not the read.
        if "credentials_epoch" in statement:
            return
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    for size in (5, 60):
        query = W1.replace("first: 100", f"first: {size}")
        await pair.compiled(query)  # the key is cached from here on
        statements.clear()
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await pair.compiled(query)
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)
        assert len(response.json()["data"]["customers"]["edges"]) == size
        assert len(statements) == 1, statements


async def test_what_cannot_compile_falls_back(demo_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(demo_workspace)
    for query in (
        "{ viewer { role } }",  # computed in Python at the root
        '{ customers(first: 2, after: "not-a-cursor") { totalCount } }',
        "{ customers(first: 1000) { totalCount } }",
        "{ __schema { queryType { name } } }",
    ):
        before = apps.reads.statements_run
        first, second = await pair.both(query, {})
        assert apps.reads.statements_run == before
        assert canonical(first) == canonical(second)


DEFERRED = """
query($withBand: Boolean!) {
  customers(first: 30, orderBy: [{field: DISPLAY_NAME}]) {
    edges { node {
      id displayName years: age ...Band
      owner { id email }
      relationships { other { id age } }
    } }
  }
  one: customer(id: $id) { age primaryEmail }
}
fragment Band on Customer { ageBand @include(if: $withBand) }
"""


async def test_computed_fields_are_left_to_the_resolvers_alone(
    runtime: Runtime, demo_workspace: str, apps: Apps
) -> None:
    """Python-computed fields under nodes are filled in by the resolvers; the rest is SQL."""
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, demo_workspace)
    assert workspace is not None
    async with tenant_session(runtime.sessions, workspace.id) as session:
        someone = (await session.execute(select(Customer.id).limit(1))).scalar_one()
    query = DEFERRED.replace("query($withBand: Boolean!)", "query($withBand: Boolean!, $id: ID!)")
    for role in ("admin", "viewer"):
        pair = await apps.pair(demo_workspace, role)
        for with_band in (True, False):
            variables = {"withBand": with_band, "id": global_id("Customer", someone)}
            before = apps.reads.deferred_runs
            body = await pair.agree(query, variables)
            assert apps.reads.deferred_runs == before + 1
            nodes = [edge["node"] for edge in body["data"]["customers"]["edges"]]
            assert any(node["years"] is not None for node in nodes)
            assert ("ageBand" in nodes[0]) is with_band
            assert "rapport-deferred" not in canonical(body)
    stranger_workspace = f"stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, stranger_workspace)
    stranger = await apps.pair(stranger_workspace)
    body = await stranger.agree(query, {"withBand": True, "id": global_id("Customer", someone)})
    assert body["data"] == {"customers": {"edges": []}, "one": None}


async def test_a_statement_the_database_refuses_falls_back(
    demo_workspace: str, apps: Apps, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = await apps.pair(demo_workspace)

    async def refuse(*_args: Any) -> Any:
        raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("parser stack overflow"))

    monkeypatch.setattr(apps.reads, "_run", refuse)
    before = apps.reads.statements_run
    first, second = await pair.both(W1, {})
    assert apps.reads.statements_run == before
    assert "errors" not in first
    assert canonical(first) == canonical(second)


async def test_access_shape_keys_the_plans(demo_workspace: str, apps: Apps) -> None:
    """A caller whose permissions differ never reuses another's plan."""
    await (await apps.pair(demo_workspace)).agree(W1, {})
    await (await apps.pair(demo_workspace, "viewer")).agree(W1, {})
    shapes = {key[2] for key in apps.reads._plans if key[0] == W1}
    assert len(shapes) == 2
