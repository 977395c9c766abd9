"""Compiled reads of the sales types answer what the resolvers answer, in one SQL statement.

Every query of ``CORPUS`` is sent to an app that compiles reads and to one that leaves them to
the resolvers, over one database with the sales demo data: the answers must be equal, and the
first app must have answered with one statement. ``DEFERRED`` select fields computed in Python:
the statement builds the rest and the resolvers fill those in afterwards; they must agree too. Each runs as an admin, a
viewer and a key of another workspace, which sees nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.models import Customer as CustomerRow
from rapport.core.models import Interaction as InteractionRow
from rapport.core.models import Task as TaskRow
from rapport.core.models import User as UserRow
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace
from rapport.plugins.sales.demo import load_sales_demo
from rapport.plugins.sales.models import Lead as LeadRow
from rapport.plugins.sales.models import Opportunity as OpportunityRow
from tests.compiled_pairs import Apps, Pair, canonical

Query = tuple[str, dict[str, Any]]

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

STAGE = "id name position probability category"
PIPELINE = "id name isDefault"
TERRITORY = "id name parentId"
QUOTA = "id userId territoryId periodStart periodEnd amount currency"
PLAN = "id name userId rate familyRates active"
USER = "id email displayName"

CORPUS: list[Query] = [
    (
        f"""{{ pipelines(first: 10) {{ totalCount {PAGE_INFO}
            edges {{ cursor node {{ {PIPELINE} __typename
              stages {{ {STAGE} pipeline {{ {PIPELINE} }} }}
              byName: stages(orderBy: [{{field: NAME, direction: DESC}}]) {{ name }}
            }} }} }} }}""",
        {},
    ),
    (
        """{ pipelines(orderBy: [{field: NAME, direction: DESC}], filter: {isDefault: {eq: true}}) {
            nodes { name stages(orderBy: [{field: PROBABILITY}, {field: NAME}]) { name } } } }""",
        {},
    ),
    (
        f"""{{ territories(first: 20) {{ totalCount edges {{ node {{ {TERRITORY}
              parent {{ {TERRITORY} parent {{ id }} }}
              children {{ {TERRITORY} children {{ id }} }}
              newest: children(orderBy: [{{field: CREATED_AT, direction: DESC}}]) {{ name }}
              members {{ {USER} }}
              byEmail: members(orderBy: [{{field: EMAIL, direction: DESC}}]) {{ email }}
            }} }} }} }}""",
        {},
    ),
    (
        """query($parent: ID) { territories(filter: {parent: {isNull: true}},
              orderBy: [{field: NAME, direction: DESC}]) {
            nodes { name children { name } } }
          below: territories(filter: {parent: {eq: $parent}}) { totalCount } }""",
        {"parent": None},
    ),
    (
        f"""{{ quotas(first: 40, orderBy: [{{field: AMOUNT, direction: DESC}}]) {{
            totalCount {PAGE_INFO}
            nodes {{ {QUOTA} user {{ {USER} }} territory {{ {TERRITORY} parent {{ name }} }} }}
          }} }}""",
        {},
    ),
    (
        f"""{{ commissionPlans {{ nodes {{ {PLAN} user {{ id }} }} }}
            active: commissionPlans(filter: {{active: {{eq: true}}}},
                                    orderBy: [{{field: CREATED_AT, direction: DESC}}]) {{
              totalCount nodes {{ name }} }} }}""",
        {},
    ),
]

OPPORTUNITY = """id name customerId ownerId territoryId amount currency probability
  probabilitySetByHand expectedCloseDate sourceCampaignId lostReason competitor closedAt leadId
  createdAt updatedAt version weightedAmount"""
LEAD = """id firstName lastName company email phone source status ownerId disqualifyReason
  customerId convertedAt createdAt"""
QUOTE = "id customerId opportunityId currency status validUntil total sentAt decidedAt createdAt"
ORDER = "id customerId opportunityId ownerId currency total createdAt paidAmount balance"
PAYMENT = "id orderId customerId ownerId amount currency receivedAt method reference"
PRODUCT = "id sku name family description active"

CORPUS += [
    (
        f"""{{ opportunities(first: 100) {{ totalCount edges {{ cursor node {{ {OPPORTUNITY}
              stage {{ {STAGE} }} pipeline {{ {PIPELINE} }}
              customer {{ id displayName }} owner {{ {USER} }} territory {{ {TERRITORY} }}
              lead {{ {LEAD} }}
            }} }} }} }}""",
        {},
    ),
    (
        f"""{{ opportunities(first: 30, orderBy: [{{field: AMOUNT, direction: DESC}}, {{field: NAME}}],
                            filter: {{category: [WON]}}) {{
            totalCount {PAGE_INFO} nodes {{ id name
              stageHistory {{ fromStageId toStageId changedAt changedById reopened
                fromStage {{ name }} toStage {{ name category }} changedBy {{ email }} }}
              newest: stageHistory(orderBy: [{{field: CHANGED_AT, direction: DESC}}]) {{ changedAt }}
              quotes {{ {QUOTE} lines {{ productId description quantity unitPrice
                discountPercent lineTotal product {{ {PRODUCT} }} }} }}
              largest: quotes(orderBy: [{{field: TOTAL, direction: DESC}}]) {{ total }}
            }} }} }}""",
        {},
    ),
    (
        """{ opportunities(first: 60, orderBy: [{field: CREATED_AT, direction: DESC}]) {
            nodes { name
              interactions { id customerId kind direction occurredAt subject outcome userId
                customer { displayName } user { email } }
              oldest: interactions(orderBy: [{field: OCCURRED_AT}]) { id }
              tasks { id title status priority dueAt assigneeId assignee { email } }
              byTitle: tasks(orderBy: [{field: TITLE, direction: DESC}]) { title }
            } } }""",
        {},
    ),
    (
        """query($min: Decimal!, $names: String) {
          opportunities(first: 50, filter: {
              amount: {gte: $min}, or: [{name: {startsWith: $names}}, {probability: {lt: 30}}],
              not: {category: [LOST]}, closedAt: {isNull: true}}) {
            totalCount nodes { name amount probability } }
          bigDeals(first: 5) { totalCount nodes { name amount } }
          smallestBig: bigDeals(first: 5, orderBy: [{field: AMOUNT}]) { nodes { amount } }
        }""",
        {"min": "5000", "names": "Pilot"},
    ),
    (
        """query($withStage: Boolean!, $skipOwner: Boolean!) {
          first: opportunities(first: 3) { edges { node { ...Deal } } }
          second: opportunities(first: 2, orderBy: [{field: PROBABILITY, direction: DESC}]) {
            __typename edges { __typename node { __typename ... on Opportunity { id ...Deal } } }
          }
          __typename
        }
        fragment Deal on Opportunity {
          title: name
          stage @include(if: $withStage) { name }
          owner @skip(if: $skipOwner) { id }
          ... on Opportunity { worth: weightedAmount }
        }""",
        {"withStage": True, "skipOwner": True},
    ),
    (
        f"""{{ leads(first: 50, orderBy: [{{field: STATUS, direction: DESC}}]) {{ totalCount
            nodes {{ {LEAD} owner {{ {USER} }} customer {{ id displayName }}
              opportunity {{ id name leadId lead {{ id status }} }} }} }}
          converted: leads(filter: {{status: [CONVERTED]}}) {{ nodes {{ id customerId }} }} }}""",
        {},
    ),
    (
        f"""{{ quotes(first: 50, orderBy: [{{field: TOTAL, direction: DESC}}]) {{ totalCount {PAGE_INFO}
            nodes {{ {QUOTE} customer {{ id }} opportunity {{ id name quotes {{ id }} }}
              lines(orderBy: [{{field: LINE_TOTAL, direction: DESC}}]) {{ lineTotal }} }} }} }}""",
        {},
    ),
    (
        f"""{{ orders(first: 50) {{ totalCount edges {{ cursor node {{ {ORDER}
              quote {{ id total }} customer {{ id }} opportunity {{ id name }} owner {{ {USER} }}
              lines {{ productId family quantity unitPrice lineTotal product {{ sku }} }}
              payments {{ {PAYMENT} }}
              largest: payments(orderBy: [{{field: AMOUNT, direction: DESC}}]) {{ amount }}
            }} }} }}
          unpaid: orders(filter: {{total: {{gt: "0"}}}}, orderBy: [{{field: TOTAL}}]) {{
            nodes {{ total paidAmount balance }} }} }}""",
        {},
    ),
    (
        f"""{{ payments(first: 50, orderBy: [{{field: AMOUNT, direction: DESC}}]) {{ totalCount
            nodes {{ {PAYMENT} order {{ id total payments {{ id }} }} customer {{ id }}
              owner {{ email }} }} }}
          byCard: payments(filter: {{method: [CARD]}}) {{ totalCount }} }}""",
        {},
    ),
    (
        f"""{{ products(orderBy: [{{field: SKU, direction: DESC}}]) {{ nodes {{ {PRODUCT}
              prices {{ amount currency __typename }}
              dearest: prices(orderBy: [{{field: UNIT_PRICE, direction: DESC}}]) {{ amount }} }} }}
          software: products(filter: {{family: {{eq: "software"}}}}) {{ totalCount }} }}""",
        {},
    ),
    (
        """{ customers(first: 40, orderBy: [{field: DISPLAY_NAME}]) { nodes { displayName
              opportunities(first: 2, orderBy: [{field: AMOUNT, direction: DESC}]) {
                totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                edges { cursor node { name amount customer { displayName } } } }
              won: opportunities(first: 5, filter: {category: [WON]}) { totalCount nodes { id } }
              orders(first: 3, orderBy: [{field: CREATED_AT, direction: DESC}]) {
                totalCount nodes { id total } }
              payments(first: 3, filter: {method: [CARD, BANK_TRANSFER]}) {
                totalCount pageInfo { hasNextPage endCursor } nodes { amount method } }
            } } }""",
        {},
    ),
]

# Queries the compiler leaves to the resolvers: they select a field computed in Python.
DEFERRED: list[Query] = [
    ("{ territories { nodes { name memberIds } } }", {}),
    ("{ commissionPlans { nodes { name tiers { attainment multiplier } } } }", {}),
    ("{ customers(first: 20) { nodes { lifetimeRevenue { amount currency } } } }", {}),
]


@pytest.fixture(scope="module")
async def sales_workspace(runtime: Runtime) -> str:
    """A workspace with core's and the sales demo data, and the cases the demo leaves out."""
    name = f"sales-compiled-{uuid.uuid4().hex[:8]}"
    workspace = await create_workspace(runtime, name)
    size = DemoSize(customers=40, interactions_per_customer=2.0)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_core_demo(session, workspace, random.Random(5), size=size)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_sales_demo(session, workspace, random.Random(11))
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await _odd_cases(session, workspace.id)
    return name


async def _odd_cases(session: Any, workspace_id: uuid.UUID) -> None:
    deals = list(
        (await session.execute(select(OpportunityRow).order_by(OpportunityRow.id))).scalars()
    )
    # Weighted amounts that fall halfway between two cents.
    halfway = [("10.50", 5), ("10.70", 5), ("0.30", 5), ("0.10", 25), ("1234.50", 33)]
    for deal, (amount, probability) in zip(deals, halfway, strict=False):
        deal.amount, deal.probability = Decimal(amount), probability
    # A converted lead, with its customer and opportunity.
    lead = (await session.execute(select(LeadRow).order_by(LeadRow.id).limit(1))).scalar_one()
    converted = deals[5]
    lead.status, lead.customer_id, lead.opportunity_id = (
        "converted",
        converted.customer_id,
        converted.id,
    )
    lead.converted_at = datetime.now(UTC)
    converted.lead_id = lead.id
    user = (await session.execute(select(UserRow.id).limit(1))).scalar_one()
    for index, deal in enumerate(deals[6:9]):
        _linked_timeline(session, workspace_id, deal, user, index)
    # A deleted customer: its deals keep its id, the customer object is null.
    await session.execute(
        update(CustomerRow)
        .where(CustomerRow.id == deals[10].customer_id)
        .values(deleted_at=datetime.now(UTC))
    )


def _linked_timeline(
    session: Any, workspace_id: uuid.UUID, deal: OpportunityRow, user: uuid.UUID, index: int
) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    for number in range(3):
        session.add(
            InteractionRow(
                workspace_id=workspace_id,
                customer_id=deal.customer_id,
                kind="call",
                direction="outbound" if number % 2 else "inbound",
                occurred_at=start + timedelta(days=number, hours=index),
                subject=f"About {deal.name} ({number})" if number else None,
                outcome="reached" if number == 1 else None,
                user_id=user if number else None,
                link_type="Opportunity",
                link_id=deal.id,
                # A deleted interaction stays off the timeline.
                deleted_at=start if number == 2 and index == 0 else None,
            )
        )
        session.add(
            TaskRow(
                workspace_id=workspace_id,
                customer_id=deal.customer_id,
                title=f"Follow up {number}",
                status="open" if number else "done",
                priority="high" if number == 1 else "normal",
                due_at=start + timedelta(days=40 + number) if number else None,
                assignee_id=user if number != 1 else None,
                link_type="Opportunity",
                link_id=deal.id,
            )
        )


async def _stranger(runtime: Runtime) -> str:
    name = f"sales-stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    return name


async def _check(pair: Pair) -> list[Any]:
    answers = []
    for query, variables in CORPUS:
        body = await pair.agree(query, variables)
        assert "errors" not in body, (query, body["errors"])
        answers.append(body["data"])
    for query, variables in DEFERRED:
        body = await pair.agree(query, variables)
        assert "errors" not in body, (query, body["errors"])
        assert "rapport-deferred" not in canonical(body)  # every stand-in filled in
        answers.append(body["data"])
    return answers


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_corpus_matches_the_resolvers(sales_workspace: str, apps: Apps, role: str) -> None:
    answers = await _check(await apps.pair(sales_workspace, role))
    pipelines = answers[0]["pipelines"]
    assert pipelines["totalCount"] == 2
    assert all(edge["node"]["stages"] for edge in pipelines["edges"])
    assert any(node["members"] for node in _nodes(answers[2]["territories"]))
    assert len(_nodes(answers[6]["opportunities"])) == 100
    won = _nodes(answers[7]["opportunities"])
    assert all(deal["stageHistory"] for deal in won)
    assert any(quote["lines"] for deal in won for quote in deal["quotes"])
    timelines = _nodes(answers[8]["opportunities"])
    assert any(deal["interactions"] and deal["tasks"] for deal in timelines)
    assert any(order["payments"] for order in _nodes(answers[13]["orders"]))
    deferred = answers[len(CORPUS) :]
    assert any(node["memberIds"] for node in deferred[0]["territories"]["nodes"])
    assert any(node["lifetimeRevenue"] for node in deferred[2]["customers"]["nodes"])


PAGE = f"""query($first: Int, $after: String, $last: Int, $before: String) {{
  opportunities(first: $first, after: $after, last: $last, before: $before,
                orderBy: [{{field: NAME}}, {{field: AMOUNT, direction: DESC}}]) {{
    totalCount {PAGE_INFO}
    edges {{ cursor node {{ {OPPORTUNITY} lead {{ id }} customer {{ id }} }} }}
  }} }}"""


async def test_pages_forwards_and_backwards(sales_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(sales_workspace)
    deals: list[Any] = []
    after = None
    while True:
        body = await pair.agree(PAGE, {"first": 35, "after": after})
        connection = body["data"]["opportunities"]
        deals += _nodes(connection)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(deals) == connection["totalCount"] == 120
    start = len(deals) - len(connection["edges"])
    before = connection["pageInfo"]["startCursor"]
    body = await pair.agree(PAGE, {"last": 10, "before": before})
    assert _nodes(body["data"]["opportunities"]) == deals[start - 10 : start]
    assert any(deal["lead"] for deal in deals)
    assert any(deal["customer"] is None for deal in deals)
    # Halfway cents round to even, as Decimal.quantize does.
    assert {deal["weightedAmount"] for deal in deals} >= {"0.52", "0.54", "0.02", "407.38"}


async def test_nodes_by_id(sales_workspace: str, apps: Apps) -> None:
    pair = await apps.pair(sales_workspace)
    listed = await pair.agree(
        """{ opportunities(first: 1, filter: {category: [WON]}) { nodes { id
              quotes { id } stageHistory { toStageId } customer { id } } }
            orders(first: 1) { nodes { id } } payments(first: 1) { nodes { id } }
            leads(first: 1) { nodes { id } } products(first: 1) { nodes { id } }
            pipelines(first: 1) { nodes { id } } territories(first: 1) { nodes { id } }
            quotas(first: 1) { nodes { id } } commissionPlans(first: 1) { nodes { id } } }""",
        {},
    )
    data = listed["data"]
    deal = data["opportunities"]["nodes"][0]
    ids = [deal["id"], deal["quotes"][0]["id"], deal["stageHistory"][0]["toStageId"]]
    ids += [_nodes(value)[0]["id"] for key, value in data.items() if key != "opportunities"]
    query = f"""query($ids: [ID!]!, $one: ID!) {{
      nodes(ids: $ids) {{ __typename id
        ... on Opportunity {{ {OPPORTUNITY} stage {{ name }} }}
        ... on Quote {{ status total lines {{ lineTotal }} }}
        ... on Stage {{ {STAGE} pipeline {{ name }} }}
        ... on Order {{ total paidAmount balance }}
        ... on Payment {{ method amount }}
        ... on Lead {{ leadStatus: status company }}
        ... on Product {{ {PRODUCT} prices {{ amount }} }}
        ... on Pipeline {{ {PIPELINE} }}
        ... on Territory {{ {TERRITORY} }}
        ... on Quota {{ periodStart amount }}
        ... on CommissionPlan {{ rate }}
      }}
      node(id: $one) {{ id ... on Opportunity {{ name }} }}
    }}"""
    body = await pair.agree(query, {"ids": ids, "one": deal["id"]})
    assert all(node is not None for node in body["data"]["nodes"])
    assert len({node["__typename"] for node in body["data"]["nodes"]}) == 11


async def test_another_workspace_sees_nothing(runtime: Runtime, apps: Apps) -> None:
    for data in await _check(await apps.pair(await _stranger(runtime))):
        for value in data.values():
            assert not _nodes(value), value


def _nodes(connection: Any) -> list[Any]:
    if not isinstance(connection, dict):
        return []  # __typename
    if "nodes" in connection:
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges", [])]
