"""Each hook of the plugin contract, exercised through a plugin that implements all of them."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from strawberry import relay

from rapport.core import hookspecs
from rapport.core.app import create_app
from rapport.core.auth import authenticate, find_workspace
from rapport.core.config import Settings
from rapport.core.demo import load_demo_data
from rapport.core.insights import recompute_insights
from rapport.core.models import Customer as CustomerRow
from rapport.core.models import CustomerInsight, Interaction
from rapport.core.runtime import Runtime
from rapport.core.services.customers import CustomerFields, create_customer
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.worker import run_worker
from rapport.core.workspaces import create_api_key, create_workspace, operator_operation
from tests.conftest import Client, Databases
from tests.core import sample_plugin
from tests.core.sample_plugin import SampleNote


@pytest.fixture(scope="module")
async def sample_runtime(databases: Databases) -> AsyncIterator[Runtime]:
    settings = Settings(database_url=await databases.create(), plugins=("none",))
    runtime = Runtime.create(settings, extra_plugins=[sample_plugin])
    await runtime.migrate()
    yield runtime
    await runtime.dispose()


@pytest.fixture
async def sample_client(sample_runtime: Runtime) -> AsyncIterator[Client]:
    app = create_app(sample_runtime.settings, runtime=sample_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        name = f"sample-{uuid.uuid4().hex[:8]}"
        await create_workspace(sample_runtime, name)
        issued = await create_api_key(sample_runtime, name, role="admin")
        yield Client(http, issued.key, name)


CREATE = """mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id displayName } errors { field code message } }
}"""


async def _count_notes(runtime: Runtime, workspace_id: Any) -> int:
    async with tenant_session(runtime.sessions, workspace_id) as session:
        return (await session.execute(select(func.count()).select_from(SampleNote))).scalar_one()


async def test_hook_register_migrations(sample_runtime: Runtime) -> None:
    assert "sample" in sample_runtime.host.migration_locations
    # The branch was migrated: the table exists and takes rows.
    workspace = await create_workspace(sample_runtime, "migrations-probe")
    async with tenant_session(sample_runtime.sessions, workspace.id) as session, session.begin():
        session.add(SampleNote(text="hello"))
    assert await _count_notes(sample_runtime, workspace.id) == 1


def test_hook_register_permissions(sample_runtime: Runtime) -> None:
    roles = sample_runtime.roles
    assert roles.permissions["sample:read"] == "read samples"
    assert roles.grants("viewer", "sample:read")
    assert roles.grants("admin", "sample:read")  # admin holds every permission
    assert not roles.grants("member", "sample:read")


def test_hook_register_roles(sample_runtime: Runtime) -> None:
    roles = sample_runtime.roles
    assert roles.permissions_of("auditor") == {"sample:read"}
    # Inherited: everything the viewer may do.
    assert roles.permissions_of("restricted") >= roles.permissions_of("viewer")


def test_hook_register_relationship_types(sample_runtime: Runtime) -> None:
    mentor = sample_runtime.vocabulary.relationship_types["mentor_of"]
    assert (mentor.label, mentor.inverse_label, mentor.plugin) == (
        "mentor of",
        "mentee of",
        "sample",
    )
    assert "employee_of" in sample_runtime.vocabulary.relationship_types


def test_hook_register_interaction_kinds(sample_runtime: Runtime) -> None:
    kinds = sample_runtime.vocabulary.interaction_kinds
    assert kinds["webinar"].label == "Webinar"
    assert "call" in kinds


def test_hook_register_event_types(sample_runtime: Runtime) -> None:
    events = sample_runtime.vocabulary.event_types
    assert events["sample.pinged"] == "the sample route was called"
    assert "customer.created" in events


async def test_hook_register_access_policies(
    sample_runtime: Runtime, sample_client: Client
) -> None:
    for name, region in (("Open", "public"), ("Hidden", "private")):
        body = await sample_client.query(
            CREATE, {"input": {"kind": "ORGANIZATION", "organizationName": name, "region": region}}
        )
        assert body["createCustomer"]["errors"] == []
    hidden_id = body["createCustomer"]["customer"]["id"]
    restricted = await sample_client.as_role(sample_runtime, "restricted")
    data = await restricted.query(
        "query($id: ID!) { customers { totalCount edges { node { displayName } } } node(id: $id) { id } }",
        {"id": hidden_id},
    )
    assert [e["node"]["displayName"] for e in data["customers"]["edges"]] == ["Open"]
    assert data["customers"]["totalCount"] == 1
    assert data["node"] is None
    everyone = await sample_client.query("{ customers { totalCount } }")
    assert everyone["customers"]["totalCount"] == 2


async def test_hook_register_customer_links(sample_runtime: Runtime, sample_client: Client) -> None:
    ids = {}
    for name, region in (("Public Co", "public"), ("Private Co", "private")):
        body = await sample_client.query(
            CREATE, {"input": {"kind": "ORGANIZATION", "organizationName": name, "region": region}}
        )
        ids[region] = uuid.UUID(
            relay.GlobalID.from_id(body["createCustomer"]["customer"]["id"]).node_id
        )
    async with unscoped_session(sample_runtime.sessions) as session:
        workspace = await find_workspace(session, sample_client.workspace)
    assert workspace is not None
    async with tenant_session(sample_runtime.sessions, workspace.id) as session, session.begin():
        session.add_all(
            [
                SampleNote(text="about public", customer_id=ids["public"]),
                SampleNote(text="about private", customer_id=ids["private"]),
                SampleNote(text="about no one"),
            ]
        )
    scoped = await sample_client.as_role(sample_runtime, "scoped")
    issued_actor = await authenticate(
        sample_runtime.sessions, scoped.key or "", sample_runtime.roles
    )
    assert issued_actor is not None
    async with sample_runtime.session_for(issued_actor) as session:
        notes = sorted((await session.execute(select(SampleNote.text))).scalars())
        names = sorted((await session.execute(select(CustomerRow.display_name))).scalars())
    assert notes == ["about no one", "about public"]
    assert names == ["Public Co"]
    data = await scoped.query("{ customers { totalCount } }")
    assert data["customers"]["totalCount"] == 1


async def test_hook_register_graphql(sample_client: Client) -> None:
    await sample_client.query(
        CREATE, {"input": {"kind": "PERSON", "firstName": "Ann", "lastName": "Lee"}}
    )
    data = await sample_client.query(
        '{ sampleEcho(text: "hi") customers { edges { node { shout } } } }'
    )
    assert data["sampleEcho"] == "hi"
    assert data["customers"]["edges"][0]["node"]["shout"] == "ANN LEE"


async def test_hook_register_dataloaders(sample_client: Client) -> None:
    for first in ("Al", "Bea", "Cyd"):
        await sample_client.query(
            CREATE, {"input": {"kind": "PERSON", "firstName": first, "lastName": "Ng"}}
        )
    data = await sample_client.query(
        "{ customers(orderBy: [{field: DISPLAY_NAME}]) { edges { node { nameLength } } } }"
    )
    assert [e["node"]["nameLength"] for e in data["customers"]["edges"]] == [5, 6, 6]


async def test_hook_register_routes(sample_runtime: Runtime) -> None:
    app = create_app(sample_runtime.settings, runtime=sample_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.get("/sample/ping")
    assert response.text == "pong from 3 plugins"


async def _insight_probe(sample_runtime: Runtime) -> Any:
    """A customer with a paid webinar and a note, and their recomputed insights."""
    workspace = await create_workspace(sample_runtime, f"insights-{uuid.uuid4().hex[:8]}")
    async with operator_operation(sample_runtime, workspace.name) as op, op.transaction():
        customer = await create_customer(op, CustomerFields(kind="person", last_name="Lee"))
        op.session.add(
            Interaction(
                workspace_id=op.workspace_id,
                customer_id=customer.id,
                kind="webinar",
                occurred_at=datetime.now(UTC) - timedelta(days=3),
                duration_seconds=90,
            )
        )
        op.session.add(SampleNote(workspace_id=op.workspace_id, text="x", customer_id=customer.id))
    async with operator_operation(sample_runtime, workspace.name) as op, op.transaction():
        await recompute_insights(op)
        return (await op.session.execute(select(CustomerInsight))).scalar_one()


async def test_hook_register_value_sources(sample_runtime: Runtime) -> None:
    insight = await _insight_probe(sample_runtime)
    assert (insight.frequency, insight.monetary, insight.recency_score) == (1, 90, 1)


async def test_hook_register_churn_signals(sample_runtime: Runtime) -> None:
    insight = await _insight_probe(sample_runtime)
    assert {"reason": "noted", "weight": 0.5} in insight.churn_reasons


async def test_hook_register_potential_value_sources(sample_runtime: Runtime) -> None:
    insight = await _insight_probe(sample_runtime)
    assert insight.potential_value == 100


async def test_hook_register_jobs(sample_runtime: Runtime) -> None:
    before = len(sample_plugin.seen["jobs"])
    await run_worker(sample_runtime, once=True)
    assert len(sample_plugin.seen["jobs"]) == before + 1


def test_hook_register_commands(sample_runtime: Runtime) -> None:
    commands = [found.item for found in sample_runtime.host.collect("register_commands")]
    sample = next(c for c in commands if c.name == "sample-hello")
    result = CliRunner().invoke(sample, [])
    assert result.output == "hello from the sample plugin\n"
    assert "sdl" in {c.name for c in commands}  # the graphql plugin's own


async def test_hook_register_demo_data(sample_runtime: Runtime) -> None:
    workspace = await create_workspace(sample_runtime, "demo-probe")
    await load_demo_data(sample_runtime, workspace, seed=7, only=("sample.notes",))
    assert "demo-probe" in sample_plugin.seen["demo"]
    assert await _count_notes(sample_runtime, workspace.id) == 1


async def test_hook_before_commit(sample_client: Client) -> None:
    data = await sample_client.query(
        CREATE, {"input": {"kind": "PERSON", "firstName": "Veto", "lastName": "Me"}}
    )
    assert data["createCustomer"]["customer"] is None
    assert data["createCustomer"]["errors"][0]["field"] == "input.lastName"
    # The hook saw the emitting operation and the actor's role on the event.
    assert ("customer.created", "admin", "admin") in sample_plugin.seen["before_commit"]
    count = await sample_client.query("{ customers { totalCount } }")
    assert count["customers"]["totalCount"] == 0  # the veto rolled the insert back


async def test_hook_after_commit(sample_client: Client) -> None:
    sample_plugin.seen["after_commit"].clear()
    await sample_client.query(
        CREATE, {"input": {"kind": "PERSON", "firstName": "Ok", "lastName": "Go"}}
    )
    await sample_client.query(
        CREATE, {"input": {"kind": "PERSON", "firstName": "Veto", "lastName": "Me"}}
    )
    # Only the committed creation is reported; the vetoed one never is.
    assert sample_plugin.seen["after_commit"] == ["customer.created"]


async def test_hook_register_error_codes(sample_client: Client) -> None:
    data = await sample_client.query(
        """mutation($input: CreateCustomerInput!) {
          createCustomer(input: $input) { customer { id } errors { field code reason } }
        }""",
        {"input": {"kind": "PERSON", "firstName": "Veto", "lastName": "Me"}},
    )
    # The generic code for programs that only know the kinds; the plugin's own for the rest.
    assert data["createCustomer"]["errors"] == [
        {"field": "input.lastName", "code": "INVALID", "reason": "SAMPLE_VETOED"}
    ]


async def test_hook_register_event_handlers(sample_client: Client) -> None:
    ids = []
    for last_name in ("Handled", "Handled-Twice"):
        created = await sample_client.query(
            CREATE, {"input": {"kind": "PERSON", "firstName": "Ada", "lastName": last_name}}
        )
        ids.append(created["createCustomer"]["customer"]["id"])
    sample_plugin.seen["merged"].clear()
    merged = await sample_client.query(
        """mutation($s: ID!, $m: [ID!]!) {
          mergeCustomers(survivorId: $s, mergedIds: $m) { errors { message } }
        }""",
        {"s": ids[0], "m": [ids[1]]},
    )
    assert merged["mergeCustomers"]["errors"] == []
    # The handler received the typed event: ids as UUIDs, not strings to parse.
    survivor, duplicate = (uuid.UUID(relay.GlobalID.from_id(i).node_id) for i in ids)
    assert sample_plugin.seen["merged"] == [(survivor, (duplicate,))]


def test_every_hook_has_a_test() -> None:
    hooks = [
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "rapport_spec")
    ]
    tested = {
        name.removeprefix("test_hook_") for name in globals() if name.startswith("test_hook_")
    }
    assert hooks, "no hookspecs found"
    assert sorted(set(hooks) - tested) == []


def test_every_hook_is_documented(project_root: Path) -> None:
    documented = (project_root / "docs" / "hooks.md").read_text(encoding="utf-8")
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(function, "rapport_spec"):
            assert f"`{name}(" in documented, name
