"""The customer's own view: timeline, recent interactions, open tasks, owner, age; and that a
list of customers costs the same number of SQL statements whatever its length."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event

from rapport.core.ages import age_of
from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import interaction, organization, person, relate, run, task

TIMELINE = """
query($id: ID!, $first: Int, $after: String, $kinds: [TimelineKind!]) {
  customer(id: $id) {
    timeline(first: $first, after: $after, kinds: $kinds) {
      edges {
        cursor occurredAt kind
        node {
          __typename
          ... on Interaction { subject }
          ... on Task { title }
          ... on AuditEntry { entityType action }
        }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""


def label(edge: dict[str, Any]) -> str:
    node = edge["node"]
    return node.get("subject") or node.get("title") or f"{node['entityType']}.{node['action']}"


async def test_timeline_merges_newest_first_and_pages(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    await interaction(client, ada, "call", "2020-01-01T10:00:00Z", subject="old call")
    await interaction(client, ada, "email", "2020-03-01T10:00:00Z", subject="mail")
    await task(client, "follow up", customerId=ada)
    await client.query(
        'mutation($id: ID!) { updateCustomer(id: $id, input: {region: "North"}) { errors { code } } }',
        {"id": ada},
    )
    data = await client.query(TIMELINE, {"id": ada})
    edges = data["customer"]["timeline"]["edges"]
    # Created and updated "now", the task and the two changes come before the 2020 calls.
    assert [label(e) for e in edges][-2:] == ["mail", "old call"]
    assert {label(e) for e in edges[:-2]} == {"follow up", "Customer.create", "Customer.update"}
    moments = [e["occurredAt"] for e in edges]
    assert moments == sorted(moments, reverse=True)
    assert {e["kind"] for e in edges} == {"INTERACTION", "TASK", "CHANGE"}

    pages: list[str] = []
    after = None
    while True:
        page = (await client.query(TIMELINE, {"id": ada, "first": 2, "after": after}))["customer"][
            "timeline"
        ]
        pages += [label(e) for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [label(e) for e in edges]

    only = await client.query(TIMELINE, {"id": ada, "kinds": ["INTERACTION"]})
    assert [label(e) for e in only["customer"]["timeline"]["edges"]] == ["mail", "old call"]


async def test_timeline_leaves_out_changes_of_records_it_shows(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    made = await task(client, "call back", customerId=ada)
    await run(
        client,
        "mutation($id: ID!) { updateTask(id: $id, input: {priority: HIGH}) { errors { code } } }",
        {"id": made["id"]},
    )
    data = await client.query(TIMELINE, {"id": ada, "kinds": ["TASK", "CHANGE"]})
    assert [label(e) for e in data["customer"]["timeline"]["edges"]] == [
        "call back",
        "Customer.create",
    ]


async def test_recent_interactions_last_contact_open_tasks_owner_and_age(client: Client) -> None:
    born = date(1990, 2, 28)
    ada = await person(client, "Ada", "Lovelace", birthDate=born.isoformat())
    await person(client, "Bob", "Byron")
    for month in range(1, 8):
        await interaction(client, ada, "call", f"2024-0{month}-01T10:00:00Z", subject=f"m{month}")
    await task(client, "open one", customerId=ada, dueAt="2030-01-01T00:00:00Z")
    viewer = await client.query("{ viewer { user { id } } }")
    me = viewer["viewer"]["user"]["id"]
    await client.query(
        "mutation($id: ID!, $owner: ID!) { updateCustomer(id: $id, input: {ownerId: $owner}) { errors { code } } }",
        {"id": ada, "owner": me},
    )
    data = await client.query(
        """{ customers(orderBy: [{field: DISPLAY_NAME}]) { edges { node {
            displayName age ageBand lastInteractionAt owner { id }
            recentInteractions(last: 3) { subject }
            five: recentInteractions { subject }
            openTasks { title }
        } } } }"""
    )
    first, second = (e["node"] for e in data["customers"]["edges"])
    expected_age = age_of(born, datetime.now(UTC).date())
    assert first["age"] == expected_age
    assert first["ageBand"] == ("AGE_35_44" if expected_age >= 35 else "AGE_25_34")
    assert first["lastInteractionAt"] == "2024-07-01T10:00:00+00:00"
    assert [i["subject"] for i in first["recentInteractions"]] == ["m7", "m6", "m5"]
    assert [i["subject"] for i in first["five"]] == ["m7", "m6", "m5", "m4", "m3"]
    assert first["openTasks"] == [{"title": "open one"}]
    assert first["owner"] == {"id": me}
    assert second == {
        "displayName": "Bob Byron",
        "age": None,
        "ageBand": None,
        "lastInteractionAt": None,
        "owner": None,
        "recentInteractions": [],
        "five": [],
        "openTasks": [],
    }


@contextmanager
def counting_statements(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


CUSTOMER_360 = """
query($first: Int!) {
  customers(first: $first, orderBy: [{field: DISPLAY_NAME}]) {
    edges { node {
      displayName primaryEmail
      contactPoints { value }
      relationships { label other { displayName } }
      recentInteractions(last: 3) { subject }
      timeline(first: 5) { edges { kind node { __typename ... on Interaction { subject } } } }
    } }
  }
}
"""


async def test_statement_count_does_not_grow_with_the_page(
    client: Client, runtime: Runtime
) -> None:
    company = await organization(client, "Zed Employer")
    for index in range(50):
        customer = await person(client, "Person", f"{index:02d}")
        await run(
            client,
            "mutation($c: ID!, $v: String!) { addContactPoint(customerId: $c, input: {kind: EMAIL, value: $v, isPrimary: true}) { errors { code } } }",
            {"c": customer, "v": f"p{index}@example.org"},
        )
        await interaction(client, customer, "call", "2025-01-01T10:00:00Z", subject=f"call {index}")
        await relate(client, customer, "employee_of", company)

    counts = {}
    for size in (5, 50):
        with counting_statements(runtime) as statements:
            data = await client.query(CUSTOMER_360, {"first": size})
        assert len(data["customers"]["edges"]) == size
        node = data["customers"]["edges"][0]["node"]
        assert node["relationships"][0]["label"] == "employee of"
        assert node["recentInteractions"][0]["subject"].startswith("call")
        counts[size] = len(statements)
    assert counts[5] == counts[50], counts


async def test_timeline_refuses_a_foreign_cursor(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    body = await client.post(TIMELINE, {"id": ada, "after": "bm90LWEtY3Vyc29y"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await client.post(TIMELINE, {"id": ada, "first": 1000})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
