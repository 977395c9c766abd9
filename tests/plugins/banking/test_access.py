"""A relationship manager sees and changes only their book, through every door."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from rapport.core import DomainError, ErrorCode
from rapport.core.models import (
    AuditEntry,
    ContactPoint,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
)
from rapport.core.services.interactions import InteractionFields, log_interaction
from rapport.core.services.tasks import TaskFields, create_task
from rapport.plugins.banking.models import AccountHolder, BalanceSnapshot, FinancialAccount
from tests.plugins.banking.conftest import Bank, Person, pk

PAST = (date.today() - timedelta(days=30)).isoformat()
FUTURE = (date.today() + timedelta(days=90)).isoformat()


async def _two_books(bank: Bank) -> tuple[Person, Person, str, str]:
    """Alice manages Ada, Bob manages Grace."""
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    mine = await bank.customer("Ada Lovelace", region="North")
    theirs = await bank.customer("Grace Hopper", region="North")
    await bank.assign(alice, mine)
    await bank.assign(bob, theirs)
    return alice, bob, mine, theirs


async def test_manager_lists_only_their_book(bank: Bank) -> None:
    alice, _, mine, theirs = await _two_books(bank)
    for query in (
        "{ customers { totalCount edges { node { id } } } }",
        '{ customers(filter: {region: {eq: "North"}}) { totalCount edges { node { id } } } }',
        '{ customers(filter: {displayName: {startsWith: "Grace"}}) '
        "{ totalCount edges { node { id } } } }",
        "{ myBook { totalCount edges { node { id } } } }",
    ):
        data = next(iter((await alice.client.query(query)).values()))
        ids = [e["node"]["id"] for e in data["edges"]]
        assert theirs not in ids, query
        assert data["totalCount"] == len(ids), query
    data = await alice.client.query("{ myBook { edges { node { id } } } }")
    assert [e["node"]["id"] for e in data["myBook"]["edges"]] == [mine]
    # The admin is not limited.
    data = await bank.admin.query("{ customers { totalCount } }")
    assert data["customers"]["totalCount"] == 2


async def test_manager_cannot_reach_another_client_by_id(bank: Bank) -> None:
    alice, _, mine, theirs = await _two_books(bank)
    query = """query($id: ID!) { node(id: $id) { id } customer(id: $id) { id }
                                 nodes(ids: [$id]) { id } }"""
    assert await alice.client.query(query, {"id": theirs}) == {
        "node": None,
        "customer": None,
        "nodes": [None],
    }
    data = await alice.client.query(query, {"id": mine})
    assert data["customer"] == {"id": mine}


async def test_manager_cannot_change_another_client(bank: Bank) -> None:
    alice, _, _, theirs = await _two_books(bank)
    for mutation, variables in (
        (
            'mutation($id: ID!) { updateCustomer(id: $id, input: {lastName: "X"}) '
            "{ errors { code field } } }",
            {"id": theirs},
        ),
        (
            'mutation($id: ID!) { rateRisk(input: {customerId: $id, kind: CREDIT, rating: "BBB", '
            f'nextReviewOn: "{FUTURE}"}}) {{ errors {{ code field }} }} }}',
            {"id": theirs},
        ),
        (
            'mutation($id: ID!) { createHousehold(input: {name: "H", primaryMemberId: $id}) '
            "{ errors { code field } } }",
            {"id": theirs},
        ),
    ):
        data = await alice.client.query(mutation, variables)
        payload = next(iter(data.values()))
        assert payload["errors"][0]["code"] == "NOT_FOUND", mutation
    data = await bank.admin.query(
        "query($id: ID!) { customer(id: $id) { lastName deletedAt riskRatings { id } household { id } } }",
        {"id": theirs},
    )
    assert data["customer"] == {
        "lastName": "Hopper",
        "deletedAt": None,
        "riskRatings": [],
        "household": None,
    }


async def test_manager_cannot_log_interactions_or_tasks_on_another_client(bank: Bank) -> None:
    alice, bob, mine, theirs = await _two_books(bank)
    op, session = await bank.operation_for(alice)
    async with session:
        with pytest.raises(DomainError) as refused:
            async with op.transaction():
                await log_interaction(op, InteractionFields(customer_id=pk(theirs), kind="call"))
        assert refused.value.errors[0].code == ErrorCode.NOT_FOUND
        with pytest.raises(DomainError) as refused:
            async with op.transaction():
                await create_task(op, TaskFields(title="Call", customer_id=pk(theirs)))
        assert refused.value.errors[0].code == ErrorCode.NOT_FOUND
        async with op.transaction():
            await log_interaction(op, InteractionFields(customer_id=pk(mine), kind="call"))
    # Bob's interaction on his client, and a contact point each, written as the admin.
    bob_op, bob_session = await bank.operation_for(bob)
    async with bob_session, bob_op.transaction():
        await log_interaction(bob_op, InteractionFields(customer_id=pk(theirs), kind="visit"))
        for customer in (mine, theirs):
            bob_session.add(
                ContactPoint(
                    workspace_id=bob_op.workspace_id,
                    customer_id=pk(customer),
                    kind="email",
                    value=f"{customer[:6]}@x.example",
                    normalized_value=f"{customer[:6]}@x.example",
                )
            )
        bob_session.add(
            Relationship(
                workspace_id=bob_op.workspace_id,
                type_key="referred_by",
                from_customer_id=pk(theirs),
                to_customer_id=pk(theirs),
            )
        )
    op, session = await bank.operation_for(alice)
    async with session:
        interactions = (await session.execute(select(Interaction.customer_id))).scalars().all()
        assert set(interactions) == {pk(mine)}
        points = (await session.execute(select(ContactPoint.customer_id))).scalars().all()
        assert set(points) == {pk(mine)}
        assert (await session.execute(select(Relationship))).first() is None
        tasks = (await session.execute(select(Task.customer_id))).scalars().all()
        assert pk(theirs) not in tasks
        audited = (await session.execute(select(AuditEntry.customer_id))).scalars().all()
        assert pk(mine) in audited
        assert pk(theirs) not in audited
        assert (await session.execute(select(InteractionParticipant))).first() is None


async def test_banking_records_of_another_book_stay_hidden(bank: Bank) -> None:
    alice, _, mine, theirs = await _two_books(bank)
    product = await bank.product("CURRENT")
    foreign_account = await bank.account(product, "NL00BANK0000001234", [theirs], "500.00")
    await bank.account(product, "NL00BANK0000005678", [mine], "100.00")
    rating = await bank.rate(theirs, "AML_KYC", "LOW", FUTURE, rated_at=None)
    household = (
        await bank.mutate(
            """mutation($id: ID!) { createHousehold(input: {name: "Hoppers", primaryMemberId: $id})
                 { household { id } errors { code } } }""",
            {"id": theirs},
        )
    )["household"]["id"]
    data = await bank.admin.query(
        "query($id: ID!) { customer(id: $id) { assignments { id } } }", {"id": theirs}
    )
    assignment = data["customer"]["assignments"][0]["id"]
    data = await alice.client.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [foreign_account, rating, household, assignment]},
    )
    assert data["nodes"] == [None, None, None, None]
    data = await bank.admin.query(
        "mutation { recomputeKeyClientTiers { clients errors { code } } }"
    )
    assert data["recomputeKeyClientTiers"]["clients"] == 2
    data = await alice.client.query(
        """query($id: ID!) { node(id: $id) { id }
             keyClients { totalCount edges { node { customer { id } } } }
             reviewsDue(before: "2999-01-01") { totalCount }
             myBook { edges { node { financialAccounts { number } totalAssets } } } }""",
        {"id": foreign_account},
    )
    assert data["node"] is None
    assert data["keyClients"]["totalCount"] == 1
    assert data["keyClients"]["edges"][0]["node"]["customer"]["id"] == mine
    assert data["reviewsDue"]["totalCount"] == 0
    assert data["myBook"]["edges"] == [
        {"node": {"financialAccounts": [{"number": "****5678"}], "totalAssets": "100.00"}}
    ]
    data = await alice.client.query(
        """mutation($id: ID!) { recordBalance(accountId: $id, balance: "1") { errors { code } }
                                closeFinancialAccount(id: $id) { errors { code } } }""",
        {"id": foreign_account},
    )
    assert data["recordBalance"]["errors"][0]["code"] == "NOT_FOUND"
    assert data["closeFinancialAccount"]["errors"][0]["code"] == "NOT_FOUND"
    _, session = await bank.operation_for(alice)
    async with session:
        for model in (FinancialAccount, AccountHolder, BalanceSnapshot):
            assert len((await session.execute(select(model))).all()) == 1, model


async def test_customers_a_manager_creates_join_their_book(bank: Bank) -> None:
    alice, bob, _, _ = await _two_books(bank)
    data = await alice.client.query(
        """mutation { createCustomer(input: {kind: PERSON, firstName: "New", lastName: "Client"}) {
             customer { id relationshipManager { id } assignments { role } } errors { code } } }"""
    )
    created = data["createCustomer"]["customer"]
    assert created["relationshipManager"] == {"id": alice.gid}
    assert created["assignments"] == [{"role": "PRIMARY"}]
    data = await alice.client.query("{ myBook { totalCount } customers { totalCount } }")
    assert data == {"myBook": {"totalCount": 2}, "customers": {"totalCount": 2}}
    data = await bob.client.query(
        "query($id: ID!) { customer(id: $id) { id } }", {"id": created["id"]}
    )
    assert data["customer"] is None
    # An admin creating a customer assigns nobody.
    admin_made = await bank.customer("Plain Admin")
    data = await bank.admin.query(
        "query($id: ID!) { customer(id: $id) { assignments { id } } }", {"id": admin_made}
    )
    assert data["customer"]["assignments"] == []


async def test_team_lead_sees_the_books_of_their_team_only(bank: Bank) -> None:
    lead = await bank.manager("lena", role="team_lead")
    alice = await bank.manager("alice", lead=lead)
    outsider = await bank.manager("otto")
    team_client = await bank.customer("Team Client")
    other_client = await bank.customer("Other Client")
    await bank.assign(alice, team_client)
    await bank.assign(outsider, other_client)
    data = await lead.client.query("{ customers { edges { node { id } } } }")
    assert [e["node"]["id"] for e in data["customers"]["edges"]] == [team_client]
    profiles = "{ relationshipManagers { edges { node { user { id } teamLead { id } } } } }"

    async def users_seen(person: Person) -> list[str]:
        data = await person.client.query(profiles)
        return sorted(e["node"]["user"]["id"] for e in data["relationshipManagers"]["edges"])

    assert await users_seen(lead) == sorted([lead.gid, alice.gid])
    assert await users_seen(alice) == [alice.gid]
    head = await bank.person("branch_head", "bea")
    assert await users_seen(head) == sorted([lead.gid, alice.gid, outsider.gid])
    data = await lead.client.query(
        'query($a: ID!, $o: ID!) { a: managerScorecard(managerId: $a, period: "2026") { clientsAtEnd } '
        'o: managerScorecard(managerId: $o, period: "2026") { clientsAtEnd } }',
        {"a": alice.gid, "o": outsider.gid},
    )
    assert data["o"] is None
    assert data["a"] is not None
    # A manager sees no other manager's scorecard.
    data = await alice.client.query(
        """query($o: ID!) { managerScorecard(managerId: $o, period: "2026") { score }
                            trainingBalance(managerId: $o, period: "2026") { points } }""",
        {"o": outsider.gid},
    )
    assert data == {"managerScorecard": None, "trainingBalance": None}


async def test_compliance_reads_everything_and_changes_nothing(bank: Bank) -> None:
    _, _, mine, theirs = await _two_books(bank)
    product = await bank.product("SAVER", "SAVINGS")
    await bank.account(product, "GB33BUKB20201555555555", [mine], "10.00")
    officer = await bank.person("compliance", "carla")
    data = await officer.client.query(
        "{ customers { totalCount } myBook { totalCount } "
        "keyClients { totalCount } financialProducts { totalCount } }"
    )
    assert data["customers"]["totalCount"] == 2
    data = await officer.client.query(
        "query($id: ID!) { customer(id: $id) { financialAccounts { number } } }", {"id": mine}
    )
    assert data["customer"]["financialAccounts"] == [{"number": "GB33BUKB20201555555555"}]
    for mutation in (
        'mutation($id: ID!) { updateCustomer(id: $id, input: {lastName: "X"}) { errors { code } } }',
        'mutation($id: ID!) { rateRisk(input: {customerId: $id, kind: CREDIT, rating: "A", '
        f'nextReviewOn: "{FUTURE}"}}) {{ errors {{ code }} }} }}',
    ):
        body = await officer.client.post(mutation, {"id": theirs})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", mutation


async def test_account_numbers_are_masked_without_the_permission(bank: Bank) -> None:
    alice, _, mine, _ = await _two_books(bank)
    product = await bank.product("CARD", "CARD")
    account = await bank.account(product, "4000 1234 5678 9010", [mine])
    query = "query($id: ID!) { node(id: $id) { ... on FinancialAccount { number } } }"
    assert (await alice.client.query(query, {"id": account}))["node"] == {"number": "****9010"}
    assert (await bank.admin.query(query, {"id": account}))["node"] == {
        "number": "4000123456789010"
    }
    head = await bank.person("branch_head", "bea")
    assert (await head.client.query(query, {"id": account}))["node"] == {
        "number": "4000123456789010"
    }


async def test_a_plain_member_gets_no_banking_data(bank: Bank) -> None:
    _, _, mine, _ = await _two_books(bank)
    member = await bank.person("member", "mo")
    data = await member.client.query(
        "query($id: ID!) { customer(id: $id) { relationshipManager { id } assignments { id } } }",
        {"id": mine},
    )
    assert data["customer"] == {"relationshipManager": None, "assignments": []}
    body = await member.client.post("{ myBook { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_workspaces_see_nothing_of_each_others_banking(bank: Bank, other_client) -> None:
    _, _, mine, _ = await _two_books(bank)
    product = await bank.product("CURRENT")
    account = await bank.account(product, "DE89370400440532013000", [mine], "1.00")
    data = await other_client.query(
        "query($a: ID!, $c: ID!) { node(id: $a) { id } customer(id: $c) { id } "
        "financialProducts { totalCount } keyClients { totalCount } }",
        {"a": account, "c": mine},
    )
    assert data == {
        "node": None,
        "customer": None,
        "financialProducts": {"totalCount": 0},
        "keyClients": {"totalCount": 0},
    }


async def test_team_lead_lists_the_team_book_on_request(bank: Bank) -> None:
    lead = await bank.manager("lara", role="team_lead")
    alice = await bank.manager("anne", lead=lead)
    outsider = await bank.manager("oskar")
    own = await bank.customer("Lead Own")
    team = await bank.customer("Team Member")
    other = await bank.customer("Not Team")
    await bank.assign(lead, own)
    await bank.assign(alice, team)
    await bank.assign(outsider, other)
    book = "query($team: Boolean!) { myBook(team: $team) { nodes { id } } }"

    async def ids(person: Person, team: bool) -> list[str]:
        data = await person.client.query(book, {"team": team})
        return sorted(node["id"] for node in data["myBook"]["nodes"])

    assert await ids(lead, False) == [own]
    assert await ids(lead, True) == sorted([own, team])
    # A manager without a team gets their own book either way.
    assert await ids(alice, True) == [team]
