"""Lead scoring: fit and engagement rules, decay, the breakdown, and the qualifying event."""

from __future__ import annotations

import types
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from rapport.core import DomainEvent, PluginInfo, Settings, hookimpl
from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from rapport.plugins.marketing.events import LeadMarketingQualified, LeadScored
from tests.conftest import Client, new_workspace_client
from tests.plugins.marketing.helpers import ERRORS, campaign, ok, payload, row_id

RULE = (
    "mutation($i: ScoringRuleInput!) { createScoringRule(input: $i) { rule { id } "
    + ERRORS
    + " } }"
)
LEAD = "mutation($i: LeadInput!) { createLead(input: $i) { lead { id } " + ERRORS + " } }"
SCORE = "query($id: ID!) { node(id: $id) { ... on Lead { score { fit engagement total breakdown qualifiedAt } } } }"
ADD = (
    "mutation($i: CampaignMemberInput!) { addCampaignMember(input: $i) { member { id } "
    + ERRORS
    + " } }"
)
RESPOND = (
    "mutation($i: MemberResponseInput!) { recordMemberResponse(input: $i) { member { id } "
    + ERRORS
    + " } }"
)


def _listener(seen: list[DomainEvent]) -> types.ModuleType:
    module = types.ModuleType("marketing_event_listener")
    module.plugin_info = PluginInfo(name="listener", version="1")  # type: ignore[attr-defined]

    @hookimpl
    def after_commit(event: DomainEvent) -> None:
        seen.append(event)

    module.after_commit = after_commit  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def watched(runtime: Runtime) -> AsyncIterator[tuple[Client, list[DomainEvent]]]:
    seen: list[DomainEvent] = []
    settings = Settings(database_url=runtime.settings.database_url)
    own = Runtime.create(settings, extra_plugins=[_listener(seen)])
    app = create_app(settings, runtime=own)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        yield await new_workspace_client(own, http), seen
    await own.dispose()


async def test_scores_follow_responses_and_qualify_once(
    watched: tuple[Client, list[DomainEvent]],
) -> None:
    client, seen = watched
    for rule in (
        {
            "name": "Web",
            "kind": "fit",
            "attribute": "lead_source",
            "value": "web_form",
            "points": 10,
        },
        {"name": "Any response", "kind": "engagement", "points": 20, "halfLifeDays": 10},
        {"name": "Converted", "kind": "engagement", "value": "Converted", "points": 30},
    ):
        await ok(client, RULE, {"i": rule})
    await ok(client, "mutation { setQualifyScore(score: 40) { qualifyScore " + ERRORS + " } }")
    lead = (await ok(client, LEAD, {"i": {"lastName": "Lovelace", "source": "web_form"}}))["lead"][
        "id"
    ]
    first = (await client.query(SCORE, {"id": lead}))["node"]["score"]
    assert (first["fit"], first["engagement"], first["total"], first["qualifiedAt"]) == (
        "10.00",
        "0.00",
        "10.00",
        None,
    )
    fair = await campaign(client, "Fair", channel="event")
    await ok(
        client,
        "mutation($id: ID!) { activateCampaign(id: $id) { campaign { id } " + ERRORS + " } }",
        {"id": fair},
    )
    member = (await ok(client, ADD, {"i": {"campaignId": fair, "leadId": lead}}))["member"]["id"]
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    await ok(
        client,
        RESPOND,
        {"i": {"memberId": member, "status": "Clicked", "occurredAt": ten_days_ago}},
    )
    halved = (await client.query(SCORE, {"id": lead}))["node"]["score"]
    assert (halved["engagement"], halved["total"]) == (
        "10.00",
        "20.00",
    )  # 20 points, one half-life old
    assert not [e for e in seen if e.name == "lead.marketing_qualified"]
    await ok(client, RESPOND, {"i": {"memberId": member, "status": "Converted"}})
    full = (await client.query(SCORE, {"id": lead}))["node"]["score"]
    assert full["total"] == "70.00"
    assert full["qualifiedAt"]
    assert full["breakdown"] == [
        {"rule": "Any response", "kind": "engagement", "points": "30.00", "count": 2},
        {"rule": "Converted", "kind": "engagement", "points": "30.00", "count": 1},
        {"rule": "Web", "kind": "fit", "points": "10", "count": 1},
    ]
    await ok(client, RESPOND, {"i": {"memberId": member, "status": "Responded"}})
    qualified = [e for e in seen if e.name == "lead.marketing_qualified"]
    assert len(qualified) == 1
    event = qualified[0].payload
    assert isinstance(event, LeadMarketingQualified)
    assert (event.id, event.total, event.threshold) == (row_id(lead), Decimal("70.00"), 40)
    assert qualified[0].data == {"total": "70.00", "threshold": 40}
    scored = [e.payload for e in seen if isinstance(e.payload, LeadScored)]
    assert {e.id for e in scored} == {row_id(lead)}


async def test_rules_are_checked(client: Client) -> None:
    result = payload(
        await client.query(
            RULE,
            {
                "i": {
                    "name": "Odd",
                    "kind": "fit",
                    "attribute": "shoe_size",
                    "points": 5,
                    "halfLifeDays": 3,
                }
            },
        )
    )
    assert sorted(e["field"] for e in result["errors"]) == [
        "input.attribute",
        "input.halfLifeDays",
        "input.value",
    ]
    other = payload(await client.query(RULE, {"i": {"name": "Odd", "kind": "vibes", "points": 1}}))
    assert [e["field"] for e in other["errors"]] == ["input.kind"]
    assert (await client.query("{ scoringRules { totalCount } }"))["scoringRules"][
        "totalCount"
    ] == 0
    refused = payload(
        await client.query(
            "mutation { setQualifyScore(score: -1) { qualifyScore " + ERRORS + " } }"
        )
    )
    assert [e["field"] for e in refused["errors"]] == ["qualifyScore"]
