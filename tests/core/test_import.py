"""CSV import: validation report, modes, duplicates, batches, fast paths, audit and tenancy."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from rapport.core.errors import ErrorCode
from rapport.core.imports import (
    DedupeMode,
    ImportMode,
    ImportOptions,
    ImportReport,
    import_customers,
)
from rapport.core.models import AuditEntry, ContactPoint, Customer, Workspace
from rapport.core.runtime import Runtime
from rapport.core.search import SearchKind, search
from rapport.core.services.custom_fields import define_custom_field
from rapport.core.tenancy import tenant_session
from tests.core.conftest import Recorded, Vetoed
from tests.support import contact, count_rows, new_workspace, operation, person

GOOD = """kind,first_name,last_name,organization_name,email,phone,tags,birth_date,lifecycle_status
person,Ada,Lovelace,,Ada@Lovelace.example,+44 20 7946 0001,vip;maths,1815-12-10,active
organization,,,Analytical Engines Ltd,info@engines.example,,b2b,,
,Grace,Hopper,,grace@navy.example,+1 202 555 0143,,1906-12-09,prospect
"""
BROKEN = """first_name,last_name,email,birth_date,lifecycle_status
Ada,Lovelace,ada@lovelace.example,1815-12-10,active
Alan,Turing,alan@not-an-email,1912-06-23,dormant
,,,,
Mary,Somerville,mary@somerville.example,18-01-01,sleeping
Charles,Babbage,charles@engines.example,,
"""


async def run_import(
    runtime: Runtime, workspace: Workspace, text: str, **options: object
) -> ImportReport:
    async with operation(runtime, workspace) as op:
        return await import_customers(op, io.StringIO(text, newline=""), ImportOptions(**options))


async def customers(runtime: Runtime, workspace: Workspace) -> dict[str, Customer]:
    async with tenant_session(runtime.sessions, workspace.id) as session:
        rows = await session.execute(select(Customer))
        return {row.display_name: row for row in rows.scalars()}


async def test_good_file_is_imported_searchable_and_audited_once(recorded: Recorded) -> None:
    runtime = recorded.runtime
    workspace = await new_workspace(runtime)
    done: list[int] = []
    async with operation(runtime, workspace) as op:
        report = await import_customers(
            op, io.StringIO(GOOD, newline=""), ImportOptions(batch_size=2), done.append
        )
    assert (report.rows, report.created, report.failed, report.written) == (3, 3, 0, True)
    assert sum(done) == 3
    found = await customers(runtime, workspace)
    assert set(found) == {"Ada Lovelace", "Analytical Engines Ltd", "Grace Hopper"}
    ada = found["Ada Lovelace"]
    assert (ada.kind, ada.tags, ada.lifecycle_status) == ("person", ["maths", "vip"], "active")
    assert found["Analytical Engines Ltd"].kind == "organization"
    assert found["Grace Hopper"].lifecycle_status == "prospect"
    async with tenant_session(runtime.sessions, workspace.id) as session:
        points = list((await session.execute(select(ContactPoint))).scalars())
        audits = list((await session.execute(select(AuditEntry))).scalars())
        hits = await search(session, workspace.id, "lovelace")
    assert len(points) == 5
    assert all(p.is_primary for p in points)
    assert {p.normalized_value for p in points if p.customer_id == ada.id} == {
        "ada@lovelace.example",
        "+442079460001",
    }
    assert [(a.entity_type, a.action) for a in audits] == [("Import", "import")]
    assert audits[0].changes["created"] == 3
    assert {h.kind for h in hits} == {SearchKind.CUSTOMER, SearchKind.CONTACT_POINT}
    imported = [e for e in recorded.after if e.name == "customer.imported"]
    assert [e.data["created"] for e in imported] == [3]


async def test_all_or_nothing_reports_every_bad_row_and_writes_nothing(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    report = await run_import(runtime, workspace, BROKEN)
    assert not report.written
    assert (report.created, report.failed) == (0, 3)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (3, "email", ErrorCode.INVALID),
        (4, "last_name", ErrorCode.REQUIRED),
        (5, "birth_date", ErrorCode.INVALID),
        (5, "lifecycle_status", ErrorCode.INVALID),
    ]
    assert "not an email address" in report.problems[0].problem
    for model in (Customer, ContactPoint, AuditEntry):
        assert await count_rows(runtime, model, workspace) == 0


async def test_skip_bad_rows_imports_the_good_ones(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    report = await run_import(runtime, workspace, BROKEN, mode=ImportMode.SKIP_BAD_ROWS)
    assert (report.created, report.failed, report.written) == (2, 3, True)
    assert set(await customers(runtime, workspace)) == {"Ada Lovelace", "Charles Babbage"}


async def test_duplicates_skip_update_or_create(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        ada = await person(op, "Ada", "Lovelace", tags=["early"])
        await contact(op, ada, "email", "ada@lovelace.example", primary=True)
    text = "first_name,last_name,email,phone,region,tags,lifecycle_status\nAda,Lovelace,ADA@lovelace.example,+44 20 7946 0009,London,vip,active\n"
    skipped = await run_import(runtime, workspace, text)
    assert (skipped.created, skipped.skipped) == (0, 1)
    assert skipped.duplicates[0].customer_id == ada
    assert skipped.duplicates[0].matched_on == "email"

    updated = await run_import(runtime, workspace, text, dedupe=DedupeMode.UPDATE)
    assert (updated.created, updated.updated) == (0, 1)
    row = (await customers(runtime, workspace))["Ada Lovelace"]
    assert (row.region, row.tags, row.lifecycle_status) == ("London", ["early", "vip"], "active")
    assert (row.kind, row.version) == ("person", 2)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        phones = (
            await session.execute(select(ContactPoint).where(ContactPoint.kind == "phone"))
        ).scalars()
        assert [(p.customer_id, p.is_primary) for p in phones] == [(ada, True)]

    created = await run_import(runtime, workspace, text, dedupe=DedupeMode.CREATE)
    assert created.created == 1
    assert await count_rows(runtime, Customer, workspace) == 2


async def test_duplicates_within_the_file(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    text = (
        "last_name,email,phone\nA,a@x.example,\nB,A@X.example,\nC,,+1 555 0100\nD,,+1 (555) 0100\n"
    )
    report = await run_import(runtime, workspace, text)
    assert [(p.row, p.column, p.code, p.problem) for p in report.problems] == [
        (3, "email", ErrorCode.DUPLICATE, "same email as row 2"),
        (5, "phone", ErrorCode.DUPLICATE, "same phone as row 4"),
    ]
    assert await count_rows(runtime, Customer, workspace) == 0
    allowed = await run_import(runtime, workspace, text, dedupe=DedupeMode.CREATE)
    assert allowed.created == 4


async def test_other_workspaces_are_not_duplicates_and_see_nothing(runtime: Runtime) -> None:
    mine, theirs = await new_workspace(runtime), await new_workspace(runtime)
    async with operation(runtime, theirs) as op:
        other = await person(op, "Ada", "Elsewhere")
        await contact(op, other, "email", "ada@lovelace.example")
    report = await run_import(runtime, mine, GOOD)
    assert (report.created, report.skipped) == (3, 0)
    assert set(await customers(runtime, theirs)) == {"Ada Elsewhere"}


async def test_headers_mapping_and_custom_fields(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        await define_custom_field(
            op, key="tier", label="Tier", field_type="select", options=["gold", "silver"]
        )
        await define_custom_field(op, key="seats", label="Seats", field_type="integer")
    text = "Surname,Mail,Tier,Seats,Junk\nLovelace,ada@x.example,gold,3,x\nBabbage,b@x.example,bronze,many,y\n"
    unknown = await run_import(runtime, workspace, text)
    assert [(p.row, p.column, p.code) for p in unknown.problems] == [
        (1, "Surname", ErrorCode.UNKNOWN_FIELD),
        (1, "Mail", ErrorCode.UNKNOWN_FIELD),
        (1, "Tier", ErrorCode.UNKNOWN_FIELD),
        (1, "Seats", ErrorCode.UNKNOWN_FIELD),
        (1, "Junk", ErrorCode.UNKNOWN_FIELD),
    ]
    mapping = {
        "Surname": "lastName",
        "Mail": "email",
        "Tier": "attributes.tier",
        "Seats": "attributes.seats",
        "Junk": "",
    }
    mapped = await run_import(
        runtime, workspace, text, mapping=mapping, mode=ImportMode.SKIP_BAD_ROWS
    )
    assert [(p.row, p.column) for p in mapped.problems] == [(3, "Seats"), (3, "Tier")] or [
        (p.row, p.column) for p in mapped.problems
    ] == [(3, "Tier"), (3, "Seats")]
    assert mapped.created == 1
    row = (await customers(runtime, workspace))["Lovelace"]
    assert row.attributes == {"tier": "gold", "seats": 3}
    missing = await run_import(runtime, workspace, text, mapping={"Nope": "email"})
    assert (1, "Nope") in [(p.row, p.column) for p in missing.problems]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("last_name,last_name\nA,B\n", "more than once"),
        ("last_name\nA,extra\n", "more values than the header"),
        ("last_name\nAda\x00\n", "NUL"),
        ("last_name\n" + "x" * 200_000 + "\n", "not valid CSV"),
    ],
)
async def test_malformed_files(runtime: Runtime, text: str, problem: str) -> None:
    workspace = await new_workspace(runtime)
    report = await run_import(runtime, workspace, text)
    assert not report.written
    assert any(problem in p.problem for p in report.problems), report.problems
    assert await count_rows(runtime, Customer, workspace) == 0


async def test_row_cap(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    text = "last_name\n" + "".join(f"P{i}\n" for i in range(11))
    report = await run_import(runtime, workspace, text, max_rows=10)
    assert report.problems[0].code == ErrorCode.LIMIT_EXCEEDED
    assert await count_rows(runtime, Customer, workspace) == 0


async def test_batches_roll_back_with_the_transaction(recorded: Recorded) -> None:
    """Rows already copied in earlier batches go when the transaction fails later."""
    runtime = recorded.runtime
    workspace = await new_workspace(runtime)
    text = "last_name,email\n" + "".join(f"P{i},p{i}@x.example\n" for i in range(2500))
    recorded.veto = "customer.imported"
    with pytest.raises(Vetoed):
        await run_import(runtime, workspace, text, batch_size=1000)
    assert await count_rows(runtime, Customer, workspace) == 0
    assert await count_rows(runtime, ContactPoint, workspace) == 0
    recorded.veto = None
    report = await run_import(runtime, workspace, text, batch_size=1000)
    assert report.created == 2500
    assert await count_rows(runtime, ContactPoint, workspace) == 2500
    async with tenant_session(runtime.sessions, workspace.id) as session:
        hits = await search(session, workspace.id, "p2499", kinds=[SearchKind.CUSTOMER])
    assert hits[0].customer.display_name == "P2499"
