"""Merging customers: what moves, what is dropped, dry runs, errors, events and search."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from rapport.core.errors import DomainError
from rapport.core.models import (
    AuditEntry,
    ContactPoint,
    Customer,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
    Workspace,
)
from rapport.core.runtime import Runtime
from rapport.core.search import SearchKind, search
from rapport.core.services.custom_fields import define_custom_field
from rapport.core.services.customers import delete_customer
from rapport.core.services.merge import merge_customers
from rapport.core.services.operation import Operation
from rapport.core.services.tasks import TaskFields, create_task
from rapport.core.tenancy import tenant_session
from tests.core.conftest import Recorded
from tests.support import contact, count_rows, interaction, new_workspace, operation, person

TABLES = [
    Customer,
    ContactPoint,
    Relationship,
    Interaction,
    InteractionParticipant,
    Task,
    AuditEntry,
]


def edge(op: Operation, type_key: str, source: uuid.UUID, target: uuid.UUID) -> None:
    op.session.add(
        Relationship(
            workspace_id=op.workspace_id,
            type_key=type_key,
            from_customer_id=source,
            to_customer_id=target,
        )
    )


async def build(runtime: Runtime) -> tuple[Workspace, dict[str, uuid.UUID]]:
    """A survivor, two customers to merge into it, and everything that hangs off them."""
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        await define_custom_field(op, key="tier", label="Tier", field_type="text")
        await define_custom_field(op, key="since", label="Since", field_type="date")
        ada = await person(op, "Ada", "Lovelace", tags=["vip"], attributes={"tier": "gold"})
        king = await person(
            op,
            "Ada",
            "King",
            region="London",
            tags=["maths"],
            birth_date=date(1815, 12, 10),
            attributes={"tier": "silver", "since": "1835-07-08"},
        )
        byron = await person(op, "Augusta Ada", "Byron", occupation="Writer", tags=["vip"])
        org = await person(op, "Analytical", "Society")
        other = await person(op, "Charles", "Babbage")
        await contact(op, ada, "email", "ada@example.com", primary=True)
        await contact(op, king, "email", "ADA@example.com ", primary=True)
        await contact(op, king, "email", "countess@example.com")
        await contact(op, king, "phone", "+44 20 7946 0000", primary=True)
        await contact(op, byron, "email", "augusta@example.com", primary=True)
        edge(op, "spouse_of", king, ada)
        edge(op, "employee_of", king, org)
        edge(op, "employee_of", ada, org)
        edge(op, "referred_by", other, byron)
        await interaction(op, king, "Letter about the engine")
        await interaction(op, king, "Tea")
        await interaction(op, byron, "Poetry reading", participant_customer_ids=[ada])
        await interaction(op, other, "Demonstration", participant_customer_ids=[king])
        await create_task(op, TaskFields(title="Call back", customer_id=byron))
    ids = {"ada": ada, "king": king, "byron": byron, "org": org, "other": other}
    return workspace, ids


async def rows(runtime: Runtime, workspace: Workspace, model: Any, *where: Any) -> list[Any]:
    async with tenant_session(runtime.sessions, workspace.id) as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def snapshot(runtime: Runtime, workspace: Workspace) -> dict[str, Any]:
    counts: dict[str, Any] = {m.__name__: await count_rows(runtime, m, workspace) for m in TABLES}
    customers = await rows(runtime, workspace, Customer)
    counts["deleted"] = sorted(str(c.id) for c in customers if c.deleted_at)
    counts["owners"] = sorted(
        (str(p.id), str(p.customer_id), p.is_primary)
        for p in await rows(runtime, workspace, ContactPoint)
    )
    return counts


async def test_merge_moves_everything_to_the_survivor(recorded: Recorded) -> None:
    runtime = recorded.runtime
    workspace, ids = await build(runtime)
    async with operation(runtime, workspace) as op:
        result = await merge_customers(op, ids["ada"], [ids["king"], ids["byron"]])
    counts = result.counts
    assert (counts.contact_points, counts.contact_points_dropped) == (3, 1)
    assert (counts.relationships, counts.relationships_dropped) == (1, 2)
    assert (counts.interactions, counts.participants, counts.tasks) == (3, 1, 1)

    points = await rows(runtime, workspace, ContactPoint)
    assert {p.customer_id for p in points if p.customer_id != ids["other"]} == {ids["ada"]}
    primaries = sorted((p.kind, p.normalized_value) for p in points if p.is_primary)
    assert primaries == [("email", "ada@example.com"), ("phone", "+442079460000")]
    assert len(points) == 4

    edges = await rows(runtime, workspace, Relationship)
    assert sorted((e.type_key, e.from_customer_id, e.to_customer_id) for e in edges) == sorted(
        [("employee_of", ids["ada"], ids["org"]), ("referred_by", ids["other"], ids["ada"])]
    )
    interactions = await rows(runtime, workspace, Interaction)
    assert {i.customer_id for i in interactions if i.subject != "Demonstration"} == {ids["ada"]}
    demonstration = [i for i in interactions if i.subject == "Demonstration"]
    participants = await rows(runtime, workspace, InteractionParticipant)
    # Ada took part in Byron's poetry reading, which is now her own: that row goes. King's
    # part in Babbage's demonstration moves to her.
    assert [(p.customer_id, p.interaction_id) for p in participants] == [
        (ids["ada"], demonstration[0].id)
    ]
    tasks = await rows(runtime, workspace, Task)
    assert [t.customer_id for t in tasks] == [ids["ada"]]

    survivor = (await rows(runtime, workspace, Customer, Customer.id == ids["ada"]))[0]
    assert survivor.region == "London"
    assert survivor.occupation == "Writer"
    assert survivor.birth_date == date(1815, 12, 10)
    assert survivor.tags == ["maths", "vip"]
    assert survivor.attributes == {"tier": "gold", "since": "1835-07-08"}
    assert survivor.display_name == "Ada Lovelace"
    for name in ("king", "byron"):
        merged = (await rows(runtime, workspace, Customer, Customer.id == ids[name]))[0]
        assert merged.deleted_at is not None
        assert merged.merged_into_id == ids["ada"]

    audits = await rows(
        runtime, workspace, AuditEntry, AuditEntry.action.in_(["merge", "merged_into"])
    )
    assert sorted((a.entity_id, a.action) for a in audits) == sorted(
        [(ids["ada"], "merge"), (ids["king"], "merged_into"), (ids["byron"], "merged_into")]
    )
    merged_events = [e for e in recorded.after if e.name == "customer.merged"]
    assert len(merged_events) == 1
    assert merged_events[0].data["mergedIds"] == [str(ids["king"]), str(ids["byron"])]
    # The in-transaction hook saw the merged customers pointing at the survivor.
    assert recorded.seen_merged == [2]


async def test_merge_keeps_the_search_index_current(runtime: Runtime) -> None:
    workspace, ids = await build(runtime)
    async with operation(runtime, workspace) as op:
        await merge_customers(op, ids["ada"], [ids["king"], ids["byron"]])
    async with tenant_session(runtime.sessions, workspace.id) as session:
        hits = await search(session, workspace.id, "countess")
        assert [(h.kind, h.customer.id) for h in hits] == [(SearchKind.CONTACT_POINT, ids["ada"])]
        assert await search(session, workspace.id, "king", kinds=[SearchKind.CUSTOMER]) == []
        letter = await search(session, workspace.id, "letter engine")
        assert [h.customer.id for h in letter] == [ids["ada"]]


async def test_dry_run_changes_nothing(recorded: Recorded) -> None:
    runtime = recorded.runtime
    workspace, ids = await build(runtime)
    before = await snapshot(runtime, workspace)
    async with operation(runtime, workspace) as op:
        preview = await merge_customers(op, ids["ada"], [ids["king"], ids["byron"]], dry_run=True)
    assert await snapshot(runtime, workspace) == before
    assert preview.dry_run
    assert (preview.counts.contact_points, preview.counts.interactions) == (3, 3)
    assert preview.survivor.region == "London"
    assert all(customer.deleted_at is None for customer in preview.merged)
    assert not [e for e in recorded.after if e.name == "customer.merged"]


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("itself", "mergedIds"),
        ("empty", "mergedIds"),
        ("unknown", "mergedIds.0"),
        ("foreign", "mergedIds.0"),
        ("deleted", "mergedIds.0"),
        ("unknown survivor", "survivorId"),
    ],
)
async def test_bad_merges_change_nothing(runtime: Runtime, case: str, field: str) -> None:
    workspace, ids = await build(runtime)
    elsewhere = await new_workspace(runtime)
    async with operation(runtime, elsewhere) as op:
        foreign = await person(op, "Ada", "Elsewhere")
    async with operation(runtime, workspace) as op:
        await delete_customer(op, ids["other"])
    survivor, merged = ids["ada"], [ids["king"]]
    if case == "itself":
        merged = [ids["ada"]]
    elif case == "empty":
        merged = []
    elif case == "unknown":
        merged = [uuid.uuid4()]
    elif case == "foreign":
        merged = [foreign]
    elif case == "deleted":
        merged = [ids["other"]]
    else:
        survivor = foreign
    before = await snapshot(runtime, workspace)
    with pytest.raises(DomainError) as failure:
        async with operation(runtime, workspace) as op:
            await merge_customers(op, survivor, merged)
    assert field in [error.field for error in failure.value.errors]
    assert await snapshot(runtime, workspace) == before
