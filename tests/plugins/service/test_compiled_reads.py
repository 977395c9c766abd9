"""Compiled reads of the service types answer what the resolvers answer, in one statement.

Every query of ``CORPUS`` goes to an app that compiles reads and to one that leaves them to
the resolvers, over one workspace holding the service demo data; the answers must be equal
and the first must come from one SQL statement. ``DEFERRED`` select fields computed in
Python (a visit's duration): the statement builds the rest and the resolvers fill those in.
Each runs as an admin, a viewer and a key of another workspace, which sees nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from rapport.core.auth import find_workspace
from rapport.core.demo import load_demo_data
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.core.workspaces import create_workspace
from tests.compiled_pairs import Apps, Pair, canonical

Query = tuple[str, dict[str, Any]]

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
CASE = """id kind subject description channel category subcategory priority severity team
  inWarranty statusCategory rootCause resolutionSummary openedAt firstResponseAt resolvedAt
  closedAt lastUpdateAt reopenCount createdAt customerId contactId assigneeId assetId statusId
  duplicateOfId policyId solutionArticleId"""
TIMER = """metric state startedAt targetAt warningAt targetSeconds businessHours elapsedSeconds
  pausedSeconds breachedAt completedAt computedAt"""
ASSET = """id customerId product serialNumber installedAt location warrantyStart warrantyEnd
  coversParts coversLabour status createdAt"""

CORPUS: list[Query] = [
    (
        f"""{{ cases(first: 30) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ {CASE}
            customer {{ id displayName }} assignee {{ id email }} asset {{ {ASSET} }}
            policy {{ id name position conditions targets {{ metric minutes businessHours pauseOn warningPercent }}
              calendar {{ id name timeZone weeklyHours holidayCountry isDefault days {{ firstDay lastDay windows name }} }} }}
            solutionArticle {{ id title status version }}
            statusHistory {{ changedAt fromCategory toCategory statusId actorId reason }}
            activities {{ happenedAt action detail actorId }}
            conversation {{ id kind direction occurredAt body userId }}
            timers {{ {TIMER} }} watchers {{ userId user {{ id }} }}
          }} }} }} }}""",
        {},
    ),
    (
        """{ cases(first: 50, filter: {isOpen: true, priority: [HIGH, URGENT]},
              orderBy: [{field: PRIORITY, direction: DESC}, {field: OPENED_AT}]) {
            totalCount nodes { id priority statusCategory } } }""",
        {},
    ),
    (
        """{ cases(filter: {kind: [COMPLAINT], statusCategory: [CLOSED]}) { totalCount
             nodes { id rootCause category } }
           breached: cases(filter: {breached: true}) { totalCount }
           inWarranty: cases(filter: {inWarranty: {eq: true}}) { totalCount } }""",
        {},
    ),
    (
        f"""{{ customers(first: 20) {{ nodes {{ id openCaseCount
              cases(first: 3) {{ totalCount nodes {{ id subject }} }}
              assets(first: 3) {{ totalCount nodes {{ {ASSET} }} }} }} }} }}""",
        {},
    ),
    (
        f"""{{ assets(first: 40, orderBy: [{{field: WARRANTY_END, direction: DESC}}]) {{
            totalCount nodes {{ {ASSET} customer {{ id }} }} }} }}""",
        {},
    ),
    (
        """{ slaPolicies { nodes { id name position active conditions calendarId
              targets { metric minutes pauseOn } } }
           escalationRules { nodes { id name trigger metric idleMinutes level action team active userId user { id } } }
           caseStatuses { nodes { id name category position } }
           businessCalendars { nodes { id name timeZone weeklyHours holidayCountry holidaySubdivision isDefault days { firstDay } } } }""",
        {},
    ),
    (
        """{ articles(orderBy: [{field: TITLE, direction: DESC}]) { totalCount nodes { id title body
              category locale status version publishedAt helpfulCount unhelpfulCount
              versions { version title body savedAt } } } }""",
        {},
    ),
    (
        """{ surveyInvitations(first: 50, filter: {answered: true}) { totalCount nodes { id caseId
              customerId kind agentId team category sentAt respondedAt score comment } } }""",
        {},
    ),
    (
        """{ workOrders(first: 30) { totalCount nodes { id customerId caseId assetId technicianId
              scheduleId subject status arrivalFrom arrivalUntil startedAt endedAt outcome signOffNote
              lines { kind description quantity unitPrice currency covered } } }
           serviceSchedules { nodes { id customerId assetId ownerId subject creates recurrence nextAt
              createdCount active } } }""",
        {},
    ),
]

DEFERRED: list[Query] = [
    ("""{ workOrders(first: 30) { nodes { id status durationSeconds } } }""", {}),
]


@pytest.fixture(scope="module")
async def service_workspace(runtime: Runtime) -> str:
    name = f"service-compiled-{uuid.uuid4().hex[:8]}"
    await create_workspace(runtime, name)
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, name)
    assert workspace is not None
    await load_demo_data(runtime, workspace, seed=5, only=("core", "service"))
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
async def test_corpus_matches_the_resolvers(service_workspace: str, apps: Apps, role: str) -> None:
    answers = await _check(await apps.pair(service_workspace, role))
    cases = [edge["node"] for edge in answers[0]["cases"]["edges"]]
    assert len(cases) == 30
    assert all(case["statusHistory"] and case["policy"] for case in cases)
    assert any(case["timers"] for case in cases)
    assert any(case["conversation"] for case in cases)
    assert any(node["openCaseCount"] for node in answers[3]["customers"]["nodes"])
    assert answers[6]["articles"]["totalCount"] > 0
    assert any(node["durationSeconds"] for node in answers[-1]["workOrders"]["nodes"])


async def test_another_workspace_sees_nothing(service_workspace: str, apps: Apps) -> None:
    stranger = f"service-stranger-{uuid.uuid4().hex[:8]}"
    await create_workspace(apps.runtime, stranger)
    answers = await _check(await apps.pair(stranger))
    assert answers[0]["cases"]["totalCount"] == 0
    assert answers[4]["assets"]["totalCount"] == 0
