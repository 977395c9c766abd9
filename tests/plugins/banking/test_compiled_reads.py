"""Banking reads compiled to SQL answer exactly what the resolvers answer.

Every banking entity, field and relation is queried through two apps over one demo bank: one
compiling queries to one statement, one leaving them to the resolvers. The answers must be
equal for an admin, compliance (unlimited, full numbers), a team lead and a relationship
manager (their books only, numbers masked) and a key of another workspace (nothing).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from strawberry.relay import from_base64, to_base64

from rapport.core import utcnow
from rapport.core.demo import load_demo_data
from rapport.core.models import Customer, Relationship, User
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_api_key, create_workspace
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER, book_customer_ids, own_book, today
from rapport.plugins.banking.models import (
    AccountHolder,
    Assignment,
    FinancialAccount,
    Household,
    RiskRating,
    TrainingRecord,
)
from rapport.plugins.banking.services.accounts import mask_number
from tests.compiled_pairs import Apps, Pair

MANAGER_EMAIL = "rm.amira@demo.example"
LEAD_EMAIL = "lead.north@demo.example"

PRODUCT = "id code name kind isActive __typename"
USER = "id email displayName role"
HOLDER = "role isPrimary customer { id displayName }"
ACCOUNT = f"""
  id currency status openedOn closedOn balance balanceAsOf number
  product {{ {PRODUCT} }}
  holders {{ {HOLDER} }}
  balanceHistory(last: 3) {{ asOf balance }}
"""
HOUSEHOLD = "id name createdAt primaryMember { id displayName } members { id displayName }"
ASSIGNMENT = f"""
  id role validFrom validTo endedReason createdAt isActive
  manager {{ id email }} customer {{ id displayName }} household {{ {HOUSEHOLD} }}
"""
RATING = "id kind rating ratedAt nextReviewOn isCurrent notes isOverdue customer { id }"
KEY_CLIENT = "id tier assets revenue value computedAt customer { id displayName }"
MANAGER = f"id branch segment grade isActive user {{ {USER} }} teamLead {{ id displayName }}"
TRAINING = "id course points completedOn manager { id email }"
SHALLOW_HOUSEHOLD = "id name createdAt primaryMember { id displayName }"
SHALLOW_ACCOUNT = "id currency status openedOn closedOn balance balanceAsOf number"
# Customers with every banking field, a few levels deep each.
BANKING_QUERIES = [
    f"""{{ customers(first: 50) {{ edges {{ node {{ id displayName
          relationshipManager {{ {USER} }}
          household {{ {SHALLOW_HOUSEHOLD} }}
          keyClientTier {{ {KEY_CLIENT} }}
    }} }} }} }}""",
    f"""{{ customers(first: 50) {{ edges {{ node {{ id
          assignments(includeEnded: true) {{ id role validFrom validTo endedReason createdAt
            isActive manager {{ id email }} customer {{ id displayName }}
            household {{ {SHALLOW_HOUSEHOLD} }} }}
          riskRatings(currentOnly: false) {{ {RATING} }}
    }} }} }} }}""",
    f"""{{ customers(first: 50) {{ edges {{ node {{ id
          financialAccounts(includeClosed: true) {{ {ACCOUNT} }}
    }} }} }} }}""",
]
# Members of each customer's household: a list three levels down, which SQLite cannot parse
# with a team lead's access conditions on every level.
MEMBERS = f"{{ customers(first: 50) {{ nodes {{ id household {{ {HOUSEHOLD} }} }} }} }}"
# The same fields in one query, nested deeper than SQLite parses under a team's policies.
DEEP = f"""{{ customers(first: 50) {{ edges {{ node {{ id displayName
  relationshipManager {{ {USER} }}
  assignments(includeEnded: true) {{ {ASSIGNMENT} }}
  household {{ {HOUSEHOLD} }}
  financialAccounts(includeClosed: true) {{ {ACCOUNT} }}
  riskRatings(currentOnly: false) {{ {RATING} }}
  keyClientTier {{ {KEY_CLIENT} }}
}} }} }} }}"""

CORPUS: list[tuple[str, dict[str, Any]]] = [
    *[(query, {}) for query in BANKING_QUERIES],
    (
        """{ customers(first: 50) { nodes { id
             assignments { id isActive }
             financialAccounts { id status }
             riskRatings { id isCurrent }
             overdue: riskRatings(overdueOnly: true) { id isOverdue }
        } } }""",
        {},
    ),
    (
        """{ customers(first: 30) { nodes { id
             assignments(includeEnded: true, orderBy: [{field: CREATED_AT, direction: ASC}]) { id }
             byRole: assignments(orderBy: [{field: ROLE}, {field: VALID_FROM}]) { id role }
             financialAccounts(includeClosed: true,
                               orderBy: [{field: BALANCE, direction: DESC}]) {
               id balance holders(orderBy: [{field: ROLE, direction: DESC}]) { role }
             }
             riskRatings(currentOnly: false, orderBy: [{field: KIND}, {field: RATED_AT}]) { kind }
             household { members(orderBy: [{field: DISPLAY_NAME, direction: DESC}]) { id } }
        } } }""",
        {},
    ),
    (
        f"""{{ keyClients(first: 20) {{
              totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
              edges {{ cursor node {{ {KEY_CLIENT} }} }}
        }} }}""",
        {},
    ),
    (
        """query($tier: Tier) { keyClients(tier: $tier, first: 10,
                                  orderBy: [{field: ASSETS}, {field: TIER, direction: ASC}]) {
              totalCount nodes { id tier assets } } }""",
        {"tier": "B"},
    ),
    (
        f"""{{ reviewsDue(first: 25) {{ totalCount edges {{ cursor node {{ {RATING} }} }} }}
              later: reviewsDue(first: 5, orderBy: [{{field: RATED_AT, direction: DESC}}]) {{
                nodes {{ id ratedAt }} pageInfo {{ endCursor hasNextPage }} }} }}""",
        {},
    ),
    (
        f"""{{ financialProducts {{ totalCount nodes {{ {PRODUCT} }} }}
              byKind: financialProducts(first: 3, orderBy: [{{field: KIND, direction: DESC}}]) {{
                edges {{ cursor node {{ code kind }} }} pageInfo {{ hasNextPage endCursor }} }} }}""",
        {},
    ),
    (
        f"""{{ relationshipManagers(first: 20) {{ totalCount nodes {{ {MANAGER} }} }}
              newest: relationshipManagers(first: 2,
                                           orderBy: [{{field: UPDATED_AT, direction: DESC}}]) {{
                nodes {{ id }} }} }}""",
        {},
    ),
    (
        """query($withAccounts: Boolean!, $skipTier: Boolean!) {
          customers(first: 12, orderBy: [{field: DISPLAY_NAME}]) {
            __typename
            edges { node { ...Banking ... on Customer { name: displayName } } }
          }
          __typename
        }
        fragment Banking on Customer {
          __typename
          accounts: financialAccounts @include(if: $withAccounts) {
            __typename id masked: number product { code }
            latest: balanceHistory(last: 1) { __typename asOf }
            none: balanceHistory(last: 0) { asOf }
            holders { __typename isPrimary }
          }
          keyClientTier @skip(if: $skipTier) { tier }
          manager: relationshipManager { email }
        }""",
        {"withAccounts": True, "skipTier": False},
    ),
    (
        """query($withAccounts: Boolean!, $skipTier: Boolean!) {
          customers(first: 5) { nodes { id
            financialAccounts @include(if: $withAccounts) { id }
            keyClientTier @skip(if: $skipTier) { tier }
          } } }""",
        {"withAccounts": False, "skipTier": True},
    ),
    # Whole floats (a share of 1.0) written as the resolvers write them.
    ("{ keyClients(first: 50) { nodes { id cumulativeShare } } }", {}),
    # The caller's own book: its statement is each caller's own.
    (
        """{ myBook(first: 50) { totalCount edges { cursor node { id displayName } } }
             team: myBook(first: 50, team: true, orderBy: [{field: CREATED_AT}]) {
               nodes { id } } }""",
        {},
    ),
    # Aggregates computed in Python, filled in after the statement.
    (
        """{ customers(first: 20) { nodes { id totalAssets
             household { totalAssets }
             crossSellSuggestions { product { code } adoptionRate peersHolding peers } } } }""",
        {},
    ),
]

# Compiled neither now nor by design yet (see the report in the module's commit): equal
# answers are all that is checked.
RESOLVED: list[tuple[str, dict[str, Any]]] = [
    # `before` here is a day, but the compiler reads every connection's `before` as a cursor.
    ('{ reviewsDue(before: "2999-01-01", first: 50) { totalCount nodes { id } } }', {}),
]


@dataclass
class DemoBank:
    name: str
    workspace_id: uuid.UUID
    nodes: dict[str, str]


async def _make_it_varied(session: Any) -> None:
    """What the demo lacks: a joint holder, a closed account, a short number, a deleted member."""
    accounts = (
        (await session.execute(select(FinancialAccount).order_by(FinancialAccount.number)))
        .scalars()
        .all()
    )
    holders = (await session.execute(select(AccountHolder))).scalars().all()
    owner_of = {holder.account_id: holder.customer_id for holder in holders}
    first, last = accounts[0], accounts[-1]
    await session.execute(
        insert(AccountHolder).values(
            workspace_id=first.workspace_id,
            id=uuid.uuid4(),
            account_id=first.id,
            customer_id=owner_of[last.id],
            role="joint_owner",
            is_primary=False,
        )
    )
    await session.execute(
        update(FinancialAccount)
        .where(FinancialAccount.id == accounts[1].id)
        .values(status="closed", closed_on=today() - timedelta(days=3))
    )
    await session.execute(
        update(FinancialAccount).where(FinancialAccount.id == accounts[2].id).values(number="12")
    )
    member = (
        await session.execute(
            select(Relationship.from_customer_id)
            .where(Relationship.type_key == HOUSEHOLD_MEMBER)
            .order_by(Relationship.id)
            .limit(1)
        )
    ).scalar_one()
    await session.execute(
        update(Customer)
        .where(Customer.id == member)
        .values(deleted_at=utcnow() - timedelta(days=1))
    )


async def _node_ids(session: Any) -> dict[str, str]:
    """One global id of each banking node type, from the database."""
    found = {}
    types = {
        "Assignment": Assignment,
        "Household": Household,
        "RiskRating": RiskRating,
        "TrainingRecord": TrainingRecord,
        "FinancialAccount": FinancialAccount,
    }
    for type_name, model in types.items():
        row_id = (await session.execute(select(model.id).order_by(model.id).limit(1))).scalar()
        found[type_name] = to_base64(type_name, str(row_id))
    return found


@pytest.fixture(scope="module")
async def demo_bank(runtime: Runtime) -> DemoBank:
    name = f"bank-compiled-{uuid.uuid4().hex[:8]}"
    workspace = await create_workspace(runtime, name)
    await load_demo_data(runtime, workspace, seed=11, only=("banking",))
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await _make_it_varied(session)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        nodes = await _node_ids(session)
    return DemoBank(name, workspace.id, nodes)


async def _key_of(runtime: Runtime, workspace: str, role: str, email: str) -> str:
    return (await create_api_key(runtime, workspace, role=role, email=email)).key


async def _pair(apps: Apps, bank: DemoBank, role: str) -> Pair:
    emails = {"relationship_manager": MANAGER_EMAIL, "team_lead": LEAD_EMAIL}
    email = emails.get(role, f"{role}@{bank.name}")
    return Pair(apps, await _key_of(apps.runtime, bank.name, role, email))


def _customer_ids(body: Any) -> set[str]:
    """Every customer global id anywhere in a response."""
    found: set[str] = set()
    if isinstance(body, dict):
        for value in body.values():
            found |= _customer_ids(value)
    elif isinstance(body, list):
        for value in body:
            found |= _customer_ids(value)
    elif isinstance(body, str):
        try:
            type_name, _ = from_base64(body)
        except Exception:
            return found
        if type_name == "Customer":
            found.add(body)
    return found


def _numbers(body: Any) -> list[str]:
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("number", "masked") and isinstance(value, str):
                found.append(value)
            else:
                found += _numbers(value)
    elif isinstance(body, list):
        for value in body:
            found += _numbers(value)
    return found


async def _book(runtime: Runtime, bank: DemoBank, user_email: str) -> set[str]:
    """The customers in a manager's book, by the access rule's own definition."""
    ws = bank.workspace_id
    async with tenant_session(runtime.sessions, ws) as session:
        user_id = (
            await session.execute(select(User.id).where(User.email == user_email))
        ).scalar_one()
        statement = book_customer_ids(ws, own_book(ws, user_id), today())
        ids = (await session.execute(statement)).scalars().all()
    return {to_base64("Customer", str(i)) for i in ids}


@pytest.mark.parametrize("role", ["admin", "compliance", "team_lead", "relationship_manager"])
async def test_corpus_matches_the_resolvers(demo_bank: DemoBank, apps: Apps, role: str) -> None:
    pair = await _pair(apps, demo_bank, role)
    deep = [] if role == "team_lead" and apps.runtime.engine.dialect.name == "sqlite" else [MEMBERS]
    for query, variables in [*CORPUS, *[(query, {}) for query in deep]]:
        body = await pair.agree(query, variables)
        assert "errors" not in body, body["errors"]
    for query, variables in RESOLVED:
        compiled, resolved = await pair.both(query, variables)
        assert compiled == resolved
        assert "errors" not in compiled, compiled["errors"]


async def test_numbers_are_masked_without_the_permission(demo_bank: DemoBank, apps: Apps) -> None:
    query = BANKING_QUERIES[2]
    full = _numbers(await (await _pair(apps, demo_bank, "admin")).agree(query, {}))
    assert "12" in full
    assert all(not n.startswith("****") for n in full)
    for role in ("team_lead", "relationship_manager"):
        shown = _numbers(await (await _pair(apps, demo_bank, role)).agree(query, {}))
        assert shown
        assert all(n.startswith("****") and len(n) <= 8 for n in shown)
    lead = _numbers(await (await _pair(apps, demo_bank, "team_lead")).agree(query, {}))
    assert set(lead) <= {mask_number(n) for n in full}
    assert "****12" in {mask_number(n) for n in full}


async def test_a_manager_sees_only_their_book(
    runtime: Runtime, demo_bank: DemoBank, apps: Apps
) -> None:
    book = await _book(runtime, demo_bank, MANAGER_EMAIL)
    everyone = _customer_ids(await (await _pair(apps, demo_bank, "admin")).agree(CORPUS[0][0], {}))
    outside = sorted(everyone - book)
    assert book
    assert outside
    pair = await _pair(apps, demo_bank, "relationship_manager")
    seen: set[str] = set()
    for query, variables in CORPUS:
        seen |= _customer_ids(await pair.agree(query, variables))
    assert seen
    assert seen <= book
    by_id = """query($ids: [ID!]!, $one: ID!) {
      node(id: $one) { id }
      customer(id: $one) { id }
      nodes(ids: $ids) { id ... on Customer { household { members { id } } } }
    }"""
    body = await pair.agree(by_id, {"ids": outside[:5], "one": outside[0]})
    assert body["data"] == {"node": None, "customer": None, "nodes": [None] * len(outside[:5])}


async def test_nodes_by_id(demo_bank: DemoBank, apps: Apps) -> None:
    query = f"""query($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename id
      ... on Assignment {{ {ASSIGNMENT} }}
      ... on Household {{ {HOUSEHOLD} }}
      ... on RiskRating {{ {RATING} }}
      ... on TrainingRecord {{ {TRAINING} }}
      ... on FinancialAccount {{ {ACCOUNT} }}
    }} }}"""
    ids = list(demo_bank.nodes.values())
    for role in ("admin", "relationship_manager"):
        body = await (await _pair(apps, demo_bank, role)).agree(query, {"ids": ids})
        if role == "admin":
            assert all(node is not None for node in body["data"]["nodes"])


async def test_pages_of_key_clients(demo_bank: DemoBank, apps: Apps) -> None:
    pair = await _pair(apps, demo_bank, "admin")
    page = """query($after: String) { keyClients(first: 7, after: $after) {
      edges { cursor node { id value } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        connection = (await pair.agree(page, {"after": after}))["data"]["keyClients"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    total = (await pair.agree("{ keyClients { totalCount } }", {}))["data"]["keyClients"]
    assert len(seen) == len(set(seen)) == total["totalCount"] > 7


async def test_another_workspace_sees_nothing(runtime: Runtime, apps: Apps) -> None:
    name = f"bank-stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    pair = Pair(apps, await _key_of(runtime, name, "admin", f"admin@{name}"))
    for query, variables in CORPUS:
        body = await pair.agree(query, variables)
        assert _customer_ids(body) == set()
        for value in body["data"].values():
            if isinstance(value, dict) and "nodes" in value:
                assert value["nodes"] == []


@pytest.mark.parametrize("role", ["admin", "compliance"])
async def test_every_banking_field_at_once(demo_bank: DemoBank, apps: Apps, role: str) -> None:
    body = await (await _pair(apps, demo_bank, role)).agree(DEEP, {})
    assert len(body["data"]["customers"]["edges"]) == 39  # one of the 40 is deleted


async def test_each_manager_gets_their_own_compiled_book(demo_bank: DemoBank, apps: Apps) -> None:
    """myBook reads who calls: its statement is kept per caller, never shared."""
    query = "{ myBook(first: 100) { nodes { id } } }"
    seen = []
    for email in (MANAGER_EMAIL, "rm.ben@demo.example", MANAGER_EMAIL):
        key = await _key_of(apps.runtime, demo_bank.name, "relationship_manager", email)
        body = await Pair(apps, key).agree(query, {})
        ids = {node["id"] for node in body["data"]["myBook"]["nodes"]}
        assert ids <= await _book(apps.runtime, demo_bank, email)  # less its deleted clients
        seen.append(ids)
    assert seen[0]
    assert seen[1]
    assert seen[0] != seen[1]
    assert seen[2] == seen[0]
