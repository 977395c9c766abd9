"""Assignments, reassignment of a whole book with its history, and households."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from rapport.core.models import Task
from rapport.core.services.tasks import TaskFields, create_task
from tests.plugins.banking.conftest import Bank, pk

TODAY = date.today()

ASSIGN = """mutation($input: AssignmentInput!) {
  assignClient(input: $input) { assignment { id role } errors { field code message } } }"""
REASSIGN = """mutation($from: ID!, $to: ID!, $day: Date) {
  reassignBook(fromManagerId: $from, toManagerId: $to, effectiveDate: $day) {
    closed { validTo endedReason customer { id } } opened { validFrom role manager { id } }
    tasksMoved errors { field code message } } }"""
HISTORY = """query($id: ID!) { customer(id: $id) {
  relationshipManager { id }
  assignments(includeEnded: true) { role validFrom validTo isActive manager { id } } } }"""


async def test_one_active_primary_per_client(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    client = await bank.customer("Ada Lovelace")
    await bank.assign(alice, client)
    data = await bank.admin.query(
        ASSIGN, {"input": {"managerId": bob.gid, "customerId": client, "role": "PRIMARY"}}
    )
    assert data["assignClient"]["errors"][0]["code"] == "CONFLICT"
    # A backup is fine, once.
    await bank.assign(bob, client, role="BACKUP")
    data = await bank.admin.query(
        ASSIGN, {"input": {"managerId": bob.gid, "customerId": client, "role": "BACKUP"}}
    )
    assert data["assignClient"]["errors"][0]["code"] == "CONFLICT"


async def test_assignment_inputs_are_checked(bank: Bank) -> None:
    alice = await bank.manager("alice")
    no_profile = await bank.person("member", "nobody")
    client = await bank.customer("Ada Lovelace")
    cases = [
        ({"managerId": no_profile.gid, "customerId": client}, "input.managerId", "NOT_FOUND"),
        ({"managerId": alice.gid}, "input.customerId", "REQUIRED"),
        ({"managerId": alice.gid, "customerId": alice.gid}, "input.customerId", "INVALID"),
    ]
    for given, field, code in cases:
        data = await bank.admin.query(ASSIGN, {"input": given})
        errors = data["assignClient"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code), given
    data = await bank.admin.query(HISTORY, {"id": client})
    assert data["customer"]["assignments"] == []


async def test_reassign_book_moves_every_client_and_keeps_history(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    since = (TODAY - timedelta(days=60)).isoformat()
    first = await bank.customer("Ada Lovelace")
    second = await bank.customer("Grace Hopper")
    await bank.assign(alice, first, valid_from=since)
    await bank.assign(alice, second, role="SPECIALIST", valid_from=since)
    data = await bank.admin.query(
        REASSIGN, {"from": alice.gid, "to": bob.gid, "day": TODAY.isoformat()}
    )
    move = data["reassignBook"]
    assert move["errors"] == []
    assert sorted(c["customer"]["id"] for c in move["closed"]) == sorted([first, second])
    assert {c["validTo"] for c in move["closed"]} == {TODAY.isoformat()}
    assert {c["endedReason"] for c in move["closed"]} == {"reassigned"}
    assert sorted(o["role"] for o in move["opened"]) == ["PRIMARY", "SPECIALIST"]
    assert {o["manager"]["id"] for o in move["opened"]} == {bob.gid}
    history = (await bank.admin.query(HISTORY, {"id": first}))["customer"]
    assert history["relationshipManager"] == {"id": bob.gid}
    assert sorted(
        (a["manager"]["id"], a["validFrom"], a["validTo"], a["isActive"])
        for a in history["assignments"]
    ) == sorted(
        [
            (alice.gid, since, TODAY.isoformat(), False),
            (bob.gid, TODAY.isoformat(), None, True),
        ]
    )
    # Alice's book is empty now, Bob's holds both; Alice lost sight of the clients.
    assert (await alice.client.query("{ myBook { totalCount } }"))["myBook"]["totalCount"] == 0
    assert (await bob.client.query("{ myBook { totalCount } }"))["myBook"]["totalCount"] == 2
    data = await alice.client.query("query($id: ID!) { customer(id: $id) { id } }", {"id": first})
    assert data["customer"] is None


async def test_reassignment_notifies_both_managers_and_moves_open_tasks(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    client = await bank.customer("Ada Lovelace")
    await bank.assign(alice, client)
    op, session = await bank.operation_for(alice)
    async with session, op.transaction():
        await create_task(op, TaskFields(title="Follow up", customer_id=pk(client)))
    data = await bank.admin.query(REASSIGN, {"from": alice.gid, "to": bob.gid, "day": None})
    assert data["reassignBook"]["tasksMoved"] == 1
    for person, expected in ((alice, "Hand over 1 client(s)"), (bob, "Welcome 1 client(s)")):
        op, session = await bank.operation_for(person)
        async with session:
            titles = (
                await session.execute(select(Task.title).where(Task.assignee_id == person.user_id))
            ).scalars()
            found = list(titles)
        assert any(t.startswith(expected) for t in found), (person.role, found)
    op, session = await bank.operation_for(bob)
    async with session:
        follow_up = (
            await session.execute(select(Task).where(Task.title == "Follow up"))
        ).scalar_one()
        assert follow_up.assignee_id == bob.user_id


async def test_reassign_refuses_bad_requests_and_changes_nothing(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    client = await bank.customer("Ada Lovelace")
    await bank.assign(alice, client)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"from": alice.gid, "to": alice.gid, "day": None}, "toManagerId", "INVALID"),
        (
            {"from": alice.gid, "to": bob.gid, "day": (TODAY - timedelta(days=5)).isoformat()},
            "effectiveDate",
            "INVALID",
        ),
    ]
    for variables, field, code in cases:
        errors = (await bank.admin.query(REASSIGN, variables))["reassignBook"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code)
    history = (await bank.admin.query(HISTORY, {"id": client}))["customer"]
    assert history["relationshipManager"] == {"id": alice.gid}
    assert len(history["assignments"]) == 1
    # Managers cannot reassign books at all.
    body = await alice.client.post(REASSIGN, {"from": alice.gid, "to": bob.gid, "day": None})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_ending_an_assignment_keeps_the_row(bank: Bank) -> None:
    alice = await bank.manager("alice")
    client = await bank.customer("Ada Lovelace")
    assignment = await bank.assign(
        alice, client, valid_from=(TODAY - timedelta(days=3)).isoformat()
    )
    data = await bank.admin.query(
        "mutation($id: ID!) { endAssignment(id: $id) { assignment { validTo isActive } errors { code } } }",
        {"id": assignment},
    )
    assert data["endAssignment"]["assignment"] == {"validTo": TODAY.isoformat(), "isActive": False}
    data = await bank.admin.query(
        "mutation($id: ID!) { endAssignment(id: $id) { errors { code } } }", {"id": assignment}
    )
    assert data["endAssignment"]["errors"][0]["code"] == "CONFLICT"
    history = (await bank.admin.query(HISTORY, {"id": client}))["customer"]
    assert history["relationshipManager"] is None
    assert len(history["assignments"]) == 1


HOUSEHOLD = """mutation($input: HouseholdInput!) {
  createHousehold(input: $input) { household { id name } errors { field code message } } }"""


async def test_household_rolls_up_and_opens_members_to_its_manager(bank: Bank) -> None:
    alice = await bank.manager("alice")
    head = await bank.customer("Pat Smith")
    spouse = await bank.customer("Sam Smith")
    child = await bank.customer("Kim Smith")
    data = await bank.admin.query(
        HOUSEHOLD,
        {"input": {"name": "Smith family", "primaryMemberId": head, "memberIds": [spouse]}},
    )
    household = data["createHousehold"]["household"]["id"]
    data = await bank.admin.query(
        "mutation($h: ID!, $c: ID!) { addHouseholdMember(householdId: $h, customerId: $c) "
        "{ errors { code } } }",
        {"h": household, "c": child},
    )
    assert data["addHouseholdMember"]["errors"] == []
    product = await bank.product("SAVER", "SAVINGS")
    loan = await bank.product("LOAN", "LOAN")
    await bank.account(product, "ACC000001", [head], "1000.00")
    await bank.account(product, "ACC000002", [spouse, head], "250.50")
    await bank.account(loan, "ACC000003", [child], "9999.00")
    await bank.admin.query(
        """mutation($input: AssignmentInput!) { assignClient(input: $input) { errors { code } } }""",
        {"input": {"managerId": alice.gid, "householdId": household}},
    )
    data = await alice.client.query(
        """query($id: ID!) { node(id: $id) { ... on Household { name totalAssets
             primaryMember { id } members { id } } } myBook { totalCount } }""",
        {"id": household},
    )
    assert data["node"] == {
        "name": "Smith family",
        # Joint accounts count once, for the primary holder; loans are not assets.
        "totalAssets": "1250.50",
        "primaryMember": {"id": head},
        "members": [{"id": head}, {"id": spouse}, {"id": child}],
    }
    assert data["myBook"]["totalCount"] == 3
    data = await alice.client.query(
        "query($id: ID!) { customer(id: $id) { household { name } relationshipManager { id } } }",
        {"id": child},
    )
    assert data["customer"] == {
        "household": {"name": "Smith family"},
        "relationshipManager": {"id": alice.gid},
    }
    # Leaving the household takes the member out of the manager's sight.
    data = await bank.admin.query(
        "mutation($h: ID!, $c: ID!) { removeHouseholdMember(householdId: $h, customerId: $c) "
        "{ errors { code } } }",
        {"h": household, "c": child},
    )
    assert data["removeHouseholdMember"]["errors"] == []
    data = await alice.client.query("query($id: ID!) { customer(id: $id) { id } }", {"id": child})
    assert data["customer"] is None


async def test_household_inputs_are_checked(bank: Bank) -> None:
    head = await bank.customer("Pat Smith")
    data = await bank.admin.query(HOUSEHOLD, {"input": {"name": " ", "primaryMemberId": head}})
    errors = data["createHousehold"]["errors"]
    assert (errors[0]["field"], errors[0]["code"]) == ("input.name", "REQUIRED")
    await bank.admin.query(HOUSEHOLD, {"input": {"name": "Smiths", "primaryMemberId": head}})
    data = await bank.admin.query(HOUSEHOLD, {"input": {"name": "Again", "primaryMemberId": head}})
    assert data["createHousehold"]["errors"][0]["code"] == "CONFLICT"
