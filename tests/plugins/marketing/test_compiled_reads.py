"""Compiled reads of the marketing types answer what the resolvers answer, in one statement.

Every query of ``CORPUS`` goes to an app that compiles reads and to one that leaves them to the
resolvers, over one database with core's, sales' and marketing's demo data; the answers must
be equal and the first app must have used one statement. ``DEFERRED`` queries select fields
computed in Python, filled in after the statement. Each runs as an admin, a viewer and a key
of another workspace, which sees nothing.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace
from rapport.plugins.marketing.demo import load_marketing_demo
from rapport.plugins.sales.demo import load_sales_demo
from tests.compiled_pairs import Apps, canonical

Query = tuple[str, dict[str, Any]]

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
SEGMENT = "id name description kind filter refreshedAt memberCount createdAt"
CAMPAIGN = (
    "id name description channel status startsOn endsOn currency budget expectedRevenue "
    "expectedResponse emailSubject emailBody emailFrom topic createdAt parentId ownerId"
)
STATUS = "id name responded isDefault position campaignId"
COST = "id category amount currency incurredOn supplier reference approved createdAt campaignId"
MEMBER = "id firstRespondedAt delivery deliveryError sentAt createdAt campaignId customerId leadId segmentId"
RESPONSE = "id responded occurredAt source memberId campaignId"
CONSENT = "id channel topic status legalBasis recordedAt source evidence customerId leadId"

CORPUS: list[Query] = [
    (
        f"""{{ segments(first: 10) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ {SEGMENT}
              includes {{ name }} excludes {{ name kind }} }} }} }}
          snapshots: segments(filter: {{kind: SNAPSHOT}}) {{ nodes {{ name memberCount }} }} }}""",
        {},
    ),
    (
        f"""{{ campaigns(first: 20, orderBy: [{{field: NAME, direction: DESC}}]) {{ totalCount
            nodes {{ {CAMPAIGN} parent {{ name parent {{ id }} }} owner {{ email }}
              children {{ name status }} memberStatuses {{ {STATUS} }}
              costs {{ {COST} campaign {{ name }} }} segments {{ name kind }} }} }}
          active: campaigns(filter: {{status: [ACTIVE, COMPLETED]}}) {{ totalCount }}
          top: campaigns(filter: {{parent: {{isNull: true}}}}) {{ nodes {{ name }} }} }}""",
        {},
    ),
    (
        f"""{{ campaignCosts(first: 50, orderBy: [{{field: AMOUNT, direction: DESC}}]) {{
            totalCount nodes {{ {COST} campaign {{ name currency }} }} }}
          approved: campaignCosts(filter: {{approved: {{eq: true}}, amount: {{gte: "300"}}}}) {{
            totalCount }} }}""",
        {},
    ),
    (
        f"""{{ campaignMembers(first: 40, orderBy: [{{field: CREATED_AT, direction: DESC}}]) {{
            totalCount {PAGE_INFO} edges {{ cursor node {{ {MEMBER}
              campaign {{ name }} status {{ name responded }} customer {{ displayName }}
              lead {{ lastName }} segment {{ name }}
              responses {{ {RESPONSE} status {{ name }} }} }} }} }}
          responded: campaignMembers(filter: {{responded: true}}) {{ totalCount }}
          sent: campaignMembers(filter: {{delivery: [SENT]}}) {{ totalCount }} }}""",
        {},
    ),
    (
        f"""{{ memberResponses(first: 30, filter: {{responded: {{eq: true}}}}) {{ totalCount
            nodes {{ {RESPONSE} status {{ name isDefault }} }} }} }}""",
        {},
    ),
    (
        f"""{{ consents(first: 30) {{ totalCount nodes {{ {CONSENT} }} }}
          out: consents(filter: {{status: OPTED_OUT, channel: {{eq: "email"}}}}) {{ totalCount }} }}""",
        {},
    ),
    (
        """{ leadForms { nodes { id key name fields consents allowedOrigins honeypot dedupeMinutes
              perIpPerMinute perFormPerMinute active createdAt campaignId campaign { name } } }
          scoringRules(orderBy: [{field: POINTS, direction: DESC}]) { nodes {
              id name kind attribute value points halfLifeDays segmentId } } }""",
        {},
    ),
    (
        f"""{{ customers(first: 30, orderBy: [{{field: DISPLAY_NAME}}]) {{ nodes {{ displayName
              campaignMemberships(first: 3) {{ totalCount nodes {{ campaign {{ name }} status {{ name }} }} }}
              responded: campaignMemberships(filter: {{responded: true}}) {{ totalCount }}
              consents(first: 2) {{ totalCount nodes {{ {CONSENT} }} }} }} }} }}""",
        {},
    ),
    (
        """{ leads(first: 20) { nodes { lastName
              campaignMemberships { totalCount nodes { campaign { name } } }
              consents { totalCount } } } }""",
        {},
    ),
]

DEFERRED: list[Query] = [
    ("{ segments { nodes { name size } } }", {}),
    ("{ leadForms { nodes { name url } } }", {}),
    ("{ customers(first: 20) { nodes { displayName marketingScore { total } } } }", {}),
    ("{ leads(first: 20) { nodes { lastName score { total breakdown } } } }", {}),
]


@pytest.fixture(scope="module")
async def marketing_workspace(runtime: Runtime) -> str:
    name = f"marketing-compiled-{uuid.uuid4().hex[:8]}"
    workspace = await create_workspace(runtime, name)
    size = DemoSize(customers=60, interactions_per_customer=1.0)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_core_demo(session, workspace, random.Random(5), size=size)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_sales_demo(session, workspace, random.Random(11))
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_marketing_demo(session, workspace, random.Random(13))
    return name


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_corpus_matches_the_resolvers(
    marketing_workspace: str, apps: Apps, role: str
) -> None:
    pair = await apps.pair(marketing_workspace, role)
    answers = []
    for query, variables in [*CORPUS, *DEFERRED]:
        body = await pair.agree(query, variables)
        assert "errors" not in body, (query, body["errors"])
        assert "rapport-deferred" not in canonical(body)
        answers.append(body["data"])
    assert answers[0]["segments"]["totalCount"] == 3
    assert answers[1]["campaigns"]["totalCount"] == 4
    assert answers[3]["campaignMembers"]["totalCount"] > 0
    assert answers[3]["responded"]["totalCount"] > 0


async def test_another_workspace_sees_nothing(
    marketing_workspace: str, apps: Apps, runtime: Runtime
) -> None:
    stranger = f"marketing-stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, stranger)
    pair = await apps.pair(stranger)
    for query, variables in CORPUS[:7]:
        body = await pair.agree(query, variables)
        assert "errors" not in body
        for value in body["data"].values():
            assert value.get("totalCount", 0) == 0
            assert not value.get("nodes")
