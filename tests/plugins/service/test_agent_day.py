"""An agent's day on the API alone: a complaint by phone gets its policy, is assigned, waits
on the customer (timers pause), is escalated by the worker near its resolution target, is
solved with a knowledge-base article and closed with a root cause; the survey answer comes
in; the manager reads the service levels, the complaint summary and the survey results."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from rapport.core import JobContext
from rapport.core.runtime import Runtime
from rapport.plugins.service import run_escalations
from tests.conftest import Client
from tests.plugins.service.helpers import (
    ALL_WEEK,
    ERRORS,
    calendar,
    customer,
    entry,
    me,
    moved,
    ok,
    open_case,
    policy,
    target,
    timer,
)

ARTICLE = (
    "mutation($i: CreateArticleInput!) { createArticle(input: $i) { article { id version } "
    + ERRORS
    + " } }"
)
PUBLISH = "mutation($id: ID!) { publishArticle(id: $id) { article { id status } " + ERRORS + " } }"
RULE = (
    "mutation($i: CreateEscalationRuleInput!) { createEscalationRule(input: $i) { rule { id } "
    + ERRORS
    + " } }"
)
ASSIGN = (
    'mutation($id: ID!, $a: ID, $at: DateTime) { assignCase(id: $id, assigneeId: $a, team: "Care", at: $at) { case { statusCategory } '
    + ERRORS
    + " } }"
)


async def test_an_agents_day(client: Client, runtime: Runtime) -> None:
    calendar_id = await calendar(client, "Always", hours=ALL_WEEK)
    complaints = await policy(
        client,
        "Complaints",
        1,
        [target("FIRST_RESPONSE", 60), target("RESOLUTION", 8 * 60)],
        conditions={"kinds": ["COMPLAINT"]},
        calendar_id=calendar_id,
    )
    await policy(client, "Everything else", 9, [target("RESOLUTION", 5 * 24 * 60)])
    lead_client = await client.as_role(
        runtime, "member", email=f"lead-{uuid.uuid4().hex[:6]}@example.com"
    )
    lead = await me(lead_client)
    await ok(
        client,
        RULE,
        {
            "i": {
                "name": "Near the target",
                "trigger": "WARNING",
                "metric": "RESOLUTION",
                "action": "REASSIGN",
                "userId": lead,
            }
        },
    )
    article = (
        await ok(
            client,
            ARTICLE,
            {
                "i": {
                    "title": "Double billing after a tariff change",
                    "body": "Refund the second charge and correct the tariff.",
                    "category": "Billing",
                }
            },
        )
    )["article"]
    await ok(client, PUBLISH, {"id": article["id"]})

    # 09:00 (seven hours ago): a complaint comes in by phone.
    acme = await customer(client, "Dupont SA")
    opened = datetime.now(UTC) - timedelta(hours=7)
    case = await open_case(
        client,
        acme,
        kind="COMPLAINT",
        channel="PHONE",
        category="Billing",
        subject="Billed twice after the tariff change",
        description="My invoice shows a double charge",
        openedAt=opened.isoformat(),
    )
    assert case["policyId"] == complaints
    agent = await me(client)
    assigned = await ok(
        client,
        ASSIGN,
        {"id": case["id"], "a": agent, "at": (opened + timedelta(minutes=2)).isoformat()},
    )
    assert assigned["case"]["statusCategory"] == "ASSIGNED"
    at = opened + timedelta(minutes=20)
    await moved(client, "startCase", case["id"], at=at.isoformat())
    await entry(
        client,
        case["id"],
        "PUBLIC_REPLY",
        (at + timedelta(minutes=5)).isoformat(),
        "Could you send the invoice?",
    )
    waiting = await moved(
        client, "waitOnCustomer", case["id"], at=(at + timedelta(minutes=10)).isoformat()
    )
    assert timer(waiting, "RESOLUTION")["state"] == "PAUSED"
    assert timer(waiting, "FIRST_RESPONSE")["state"] == "MET"
    # The customer answers two hours later: two paused hours do not count.
    back = opened + timedelta(hours=2, minutes=30)
    await entry(client, case["id"], "CUSTOMER_MESSAGE", back.isoformat(), "Attached")
    resumed = await moved(client, "startCase", case["id"], at=back.isoformat())
    resolution = timer(resumed, "RESOLUTION")
    assert resolution["pausedSeconds"] == 2 * 3600
    assert resolution["state"] == "RUNNING"
    # Counted so far: 30 minutes, then 4.5 hours since the customer came back: 5 of 8 hours;
    # the warning (80 %: 6.4 hours) is 1.4 hours away; pretend the worker runs then.
    due = datetime.fromisoformat(resolution["warningAt"])
    assert due == back + timedelta(hours=5.9)

    suggestions = await client.query(
        "query($id: ID!) { suggestedArticles(caseId: $id) { id title } }", {"id": case["id"]}
    )
    assert [a["id"] for a in suggestions["suggestedArticles"]] == [article["id"]]

    # Not due yet: nothing happens.
    await run_escalations(JobContext(runtime))
    seen = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { assigneeId } } }", {"id": case["id"]}
    )
    assert seen["node"]["assigneeId"] == agent
    from tests.plugins.service.test_escalation import _escalate

    assert await _escalate(client, runtime, due + timedelta(minutes=1)) == 1
    seen = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { assigneeId activities { action } } } }",
        {"id": case["id"]},
    )
    assert seen["node"]["assigneeId"] == lead
    assert "escalated" in [a["action"] for a in seen["node"]["activities"]]

    solved = await moved(
        client,
        "resolveCase",
        case["id"],
        solutionArticleId=article["id"],
        resolutionSummary="Second charge refunded",
    )
    assert timer(solved, "RESOLUTION")["state"] == "MET"
    closed = await moved(client, "closeCase", case["id"], rootCause="Tariff migration")
    assert closed["statusCategory"] == "CLOSED"

    # The survey offered at resolution is answered with its token (as a mailing tool would).
    offer = await ok(
        client,
        "mutation($id: ID!) { offerSurvey(caseId: $id, kind: CSAT) { invitation { id } token "
        + ERRORS
        + " } }",
        {"id": case["id"]},
    )
    answered = await ok(
        client,
        'mutation($t: String!) { answerSurvey(token: $t, score: 5, comment: "Quick") { invitation { score respondedAt } '
        + ERRORS
        + " } }",
        {"t": offer["token"]},
    )
    assert answered["invitation"]["score"] == 5
    twice = await client.query(
        "mutation($t: String!) { answerSurvey(token: $t, score: 1) { errors { code } } }",
        {"t": offer["token"]},
    )
    assert twice["answerSurvey"]["errors"] == [{"code": "CONFLICT"}]

    today = datetime.now(UTC).date().isoformat()
    start = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    period = {"start": start, "end": today}
    report = await client.query(
        "query($p: ServicePeriod!) { serviceLevels(period: $p, groupBy: CATEGORY) { key opened resolved "
        "firstResponseMedianSeconds resolutionMedianSeconds resolutionP90Seconds withinSlaPercent breaches "
        "backlog { age count } } complaintSummary(period: $p) { category rootCause count resolved previousCount change } "
        "surveyResults(period: $p, groupBy: TEAM) { key sent answered responseRate csatPercent nps } }",
        {"p": period},
    )
    billing = next(r for r in report["serviceLevels"] if r["key"] == "Billing")
    assert (billing["opened"], billing["resolved"], billing["breaches"]) == (1, 1, 0)
    assert billing["firstResponseMedianSeconds"] == 25 * 60
    assert billing["withinSlaPercent"] == 100.0
    assert report["complaintSummary"] == [
        {
            "category": "Billing",
            "rootCause": "Tariff migration",
            "count": 1,
            "resolved": 1,
            "previousCount": 0,
            "change": 1,
        }
    ]
    assert report["surveyResults"] == [
        {
            "key": "Care",
            "sent": 1,
            "answered": 1,
            "responseRate": 100.0,
            "csatPercent": 100.0,
            "nps": None,
        }
    ]
    solution = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { solutionArticle { title } } } }",
        {"id": case["id"]},
    )
    assert solution["node"]["solutionArticle"]["title"].startswith("Double billing")
