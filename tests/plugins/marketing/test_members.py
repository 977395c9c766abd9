"""Members and consent: adding a segment honours do-not-contact and opt-outs (each exclusion
reported), responses are kept as history, bulk responses report per item."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.marketing.helpers import (
    ERRORS,
    add_segment,
    campaign,
    contact,
    error_codes,
    error_reasons,
    ok,
    payload,
    person,
    segment,
)

CONSENT = (
    "mutation($i: ConsentInput!) { recordConsent(input: $i) { consent { id status channel topic } "
    + ERRORS
    + " } }"
)
ADD_ONE = (
    "mutation($i: CampaignMemberInput!) { addCampaignMember(input: $i) { member { id } "
    + ERRORS
    + " } }"
)
RESPOND = (
    "mutation($i: MemberResponseInput!) { recordMemberResponse(input: $i) { member { id firstRespondedAt status { name } responses { status { name } responded source } } "
    + ERRORS
    + " } }"
)
BULK = "mutation($i: [MemberResponseInput!]!) { recordMemberResponses(inputs: $i) { recorded results { index member { id } errors { field code } } } }"
ACTIVATE = "mutation($id: ID!) { activateCampaign(id: $id) { campaign { status } " + ERRORS + " } }"


async def _audience(client: Client) -> dict[str, str]:
    people = {}
    for name in ("Ann", "Bob", "Cid", "Dee", "Eve"):
        people[name] = await person(client, f"{name} Smith", region="North")
    for name in ("Ann", "Bob", "Cid", "Dee"):
        await contact(client, people[name], f"{name.lower()}@example.com")
    return people


async def test_adding_a_segment_excludes_and_explains(client: Client) -> None:
    people = await _audience(client)
    await ok(
        client,
        CONSENT,
        {
            "i": {
                "customerId": people["Bob"],
                "channel": "all",
                "status": "OPTED_OUT",
                "source": "call",
            }
        },
    )
    await ok(
        client,
        CONSENT,
        {
            "i": {
                "customerId": people["Cid"],
                "channel": "email",
                "topic": "news",
                "status": "OPTED_OUT",
            }
        },
    )
    # Dee opted out of all email, then back in to the news topic explicitly.
    await ok(
        client,
        CONSENT,
        {
            "i": {
                "customerId": people["Dee"],
                "channel": "email",
                "status": "OPTED_OUT",
                "recordedAt": "2026-01-01T00:00:00Z",
            }
        },
    )
    await ok(
        client,
        CONSENT,
        {
            "i": {
                "customerId": people["Dee"],
                "channel": "email",
                "topic": "news",
                "status": "OPTED_IN",
                "legalBasis": "consent",
                "source": "web",
                "recordedAt": "2026-02-01T00:00:00Z",
            }
        },
    )
    north = await segment(client, "North", filter={"region": {"eq": "North"}})
    news = await campaign(client, "News", topic="news")
    result = await add_segment(client, news, north)
    assert result["added"] == 2  # Ann and Dee
    reasons = {item["customerId"]: item["reason"] for item in result["excluded"]}
    assert reasons == {
        people["Bob"]: "DO_NOT_CONTACT",
        people["Cid"]: "OPTED_OUT",
        people["Eve"]: "NO_EMAIL",
    }
    counts = {c["reason"]: c["count"] for c in result["excludedCounts"]}
    assert counts == {"ALREADY_MEMBER": 0, "DO_NOT_CONTACT": 1, "OPTED_OUT": 1, "NO_EMAIL": 1}
    again = await add_segment(client, news, north)
    assert again["added"] == 0
    assert {c["reason"]: c["count"] for c in again["excludedCounts"]}["ALREADY_MEMBER"] == 2
    # An SMS campaign needs no email; only Bob's do-not-contact holds there.
    sms = await campaign(client, "Text", channel="sms")
    texted = await add_segment(client, sms, north)
    assert texted["added"] == 4
    members = await client.query(
        "query($c: ID!) { node(id: $c) { ... on Customer { campaignMemberships { totalCount nodes { campaign { name } status { name } segment { name } delivery } } consents { totalCount } } } }",
        {"c": people["Ann"]},
    )
    node = members["node"]
    assert node["campaignMemberships"]["totalCount"] == 2
    assert {
        (m["campaign"]["name"], m["status"]["name"], m["segment"]["name"], m["delivery"])
        for m in node["campaignMemberships"]["nodes"]
    } == {("News", "Sent", "North", "PENDING"), ("Text", "Sent", "North", None)}
    dee = await client.query(
        "query($c: ID!) { node(id: $c) { ... on Customer { consents { nodes { status topic } } } } }",
        {"c": people["Dee"]},
    )
    assert dee["node"]["consents"]["nodes"] == [
        {"status": "OPTED_IN", "topic": "news"},
        {"status": "OPTED_OUT", "topic": ""},
    ]


async def test_consent_needs_what_it_rests_on(client: Client) -> None:
    ann = await person(client, "Ann Smith")
    result = payload(
        await client.query(
            CONSENT, {"i": {"customerId": ann, "channel": "email", "status": "OPTED_IN"}}
        )
    )
    assert sorted(e["field"] for e in result["errors"]) == ["input.legalBasis", "input.source"]
    bad = payload(
        await client.query(
            CONSENT,
            {
                "i": {
                    "customerId": ann,
                    "channel": "fax",
                    "status": "OPTED_OUT",
                    "legalBasis": "whim",
                }
            },
        )
    )
    assert sorted(e["field"] for e in bad["errors"]) == ["input.channel", "input.legalBasis"]
    assert (await client.query("{ consents { totalCount } }"))["consents"]["totalCount"] == 0


async def test_one_member_is_refused_for_the_same_reasons(client: Client) -> None:
    ann = await person(client, "Ann Smith")
    await ok(client, CONSENT, {"i": {"customerId": ann, "channel": "email", "status": "OPTED_OUT"}})
    news = await campaign(client, "News")
    refused = payload(await client.query(ADD_ONE, {"i": {"campaignId": news, "customerId": ann}}))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("input.customerId", "INVALID")]
    assert "opted out" in refused["errors"][0]["message"]
    assert await error_reasons(client, ADD_ONE, {"i": {"campaignId": news, "customerId": ann}}) == [
        ("INVALID", "MARKETING_OPTED_OUT")
    ]
    bob = await person(client, "Bob Smith")
    await ok(client, ADD_ONE, {"i": {"campaignId": news, "customerId": bob}})
    assert await error_reasons(client, ADD_ONE, {"i": {"campaignId": news, "customerId": bob}}) == [
        ("CONFLICT", "MARKETING_ALREADY_MEMBER")
    ]


async def test_responses_are_history_and_set_the_first_response(client: Client) -> None:
    ann = await person(client, "Ann Smith")
    event = await campaign(client, "Fair", channel="event")
    member = (await ok(client, ADD_ONE, {"i": {"campaignId": event, "customerId": ann}}))["member"][
        "id"
    ]
    planned = await error_codes(client, RESPOND, {"i": {"memberId": member, "status": "Clicked"}})
    assert planned == ["INVALID_TRANSITION"]
    await ok(client, ACTIVATE, {"id": event})
    unknown = payload(await client.query(RESPOND, {"i": {"memberId": member, "status": "Danced"}}))
    assert [e["field"] for e in unknown["errors"]] == ["input.status"]
    first = await ok(
        client, RESPOND, {"i": {"memberId": member, "status": "Opened", "source": "tracker"}}
    )
    assert first["member"]["firstRespondedAt"] is None
    second = await ok(
        client,
        RESPOND,
        {"i": {"memberId": member, "status": "Clicked", "occurredAt": "2026-01-05T10:00:00Z"}},
    )
    assert second["member"]["firstRespondedAt"].startswith("2026-01-05T10:00:00")
    history = [(r["status"]["name"], r["responded"]) for r in second["member"]["responses"]]
    assert sorted(history) == [("Clicked", True), ("Opened", False), ("Sent", False)]
    bulk = await client.query(
        BULK,
        {
            "i": [
                {"memberId": member, "status": "Converted"},
                {"memberId": member, "status": "Nope"},
            ]
        },
    )
    results = bulk["recordMemberResponses"]
    assert results["recorded"] == 1
    assert [r["errors"] for r in results["results"]] == [
        [],
        [{"field": "inputs.1.status", "code": "NOT_FOUND"}],
    ]
    listed = await client.query(
        "query($c: ID!) { campaignMembers(filter: {campaign: {eq: $c}, responded: true}) { totalCount nodes { status { name } } } }",
        {"c": event},
    )
    assert listed["campaignMembers"] == {
        "totalCount": 1,
        "nodes": [{"status": {"name": "Converted"}}],
    }


async def test_members_of_another_workspace_are_invisible(
    client: Client, other_client: Client
) -> None:
    ann = await person(client, "Ann Smith")
    news = await campaign(client, "News", channel="sms")
    await ok(client, ADD_ONE, {"i": {"campaignId": news, "customerId": ann}})
    theirs = await other_client.query(
        "{ campaignMembers { totalCount } memberResponses { totalCount } }"
    )
    assert theirs == {"campaignMembers": {"totalCount": 0}, "memberResponses": {"totalCount": 0}}
    mine = await other_client.query("query($c: ID!) { node(id: $c) { id } }", {"c": news})
    assert mine["node"] is None
    refused = await error_codes(
        other_client, ADD_ONE, {"i": {"campaignId": news, "customerId": ann}}
    )
    assert refused == ["NOT_FOUND"]


async def test_a_merge_moves_memberships_responses_and_consent(client: Client) -> None:
    survivor = await person(client, "Ann Keep")
    merged = await person(client, "Ann Dup")
    both = await campaign(client, "Both", channel="event")
    only = await campaign(client, "Only", channel="event")
    for campaign_id in (both, only):
        await ok(client, ACTIVATE, {"id": campaign_id})
    kept = (await ok(client, ADD_ONE, {"i": {"campaignId": both, "customerId": survivor}}))[
        "member"
    ]["id"]
    dup = (await ok(client, ADD_ONE, {"i": {"campaignId": both, "customerId": merged}}))["member"][
        "id"
    ]
    await ok(client, ADD_ONE, {"i": {"campaignId": only, "customerId": merged}})
    await ok(client, RESPOND, {"i": {"memberId": dup, "status": "Clicked"}})
    await ok(
        client, CONSENT, {"i": {"customerId": merged, "channel": "email", "status": "OPTED_OUT"}}
    )
    result = await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { errors { field code message } } }",
        {"s": survivor, "m": [merged]},
    )
    assert result["mergeCustomers"]["errors"] == []
    found = await client.query(
        "query($c: ID!) { node(id: $c) { ... on Customer { campaignMemberships { nodes { id campaign { name } responses { status { name } } } } consents { totalCount } } } }",
        {"c": survivor},
    )
    memberships = {m["campaign"]["name"]: m for m in found["node"]["campaignMemberships"]["nodes"]}
    assert set(memberships) == {"Both", "Only"}
    assert memberships["Both"]["id"] == kept
    # The duplicate's responses joined the survivor's membership of the shared campaign.
    assert sorted(r["status"]["name"] for r in memberships["Both"]["responses"]) == [
        "Clicked",
        "Sent",
        "Sent",
    ]
    assert found["node"]["consents"]["totalCount"] == 1
