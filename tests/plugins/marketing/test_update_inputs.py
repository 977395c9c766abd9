"""Updates of segments, lead forms and member statuses: a field left out is kept, an explicit
null clears a field that may be empty and is refused, naming it, for one the record needs."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.marketing.helpers import campaign, ok, segment
from tests.plugins.updates import cannot_clear, read_node, refused_nulls, update_mutation

SEGMENT = "id name description kind filter includes { id } excludes { id }"
FORM = "id name fields consents allowedOrigins honeypot dedupeMinutes active"
STATUS = "id name responded isDefault position"
UPDATE_SEGMENT = update_mutation("updateSegment", "UpdateSegmentInput", "segment", SEGMENT)
UPDATE_FORM = update_mutation("updateLeadForm", "UpdateLeadFormInput", "form", FORM)
UPDATE_STATUS = update_mutation(
    "updateMemberStatus", "UpdateMemberStatusInput", "memberStatus", STATUS
)
VIP = {"tags": {"any": ["vip"]}}


async def test_segment_update_keeps_clears_and_refuses(client: Client) -> None:
    base = await segment(client, "Base", filter=VIP)
    segment_id = await segment(
        client, "Gold", description="Best customers", filter=VIP, includeIds=[base]
    )

    kept = await ok(client, UPDATE_SEGMENT, {"id": segment_id, "i": {"name": "Golden"}})
    shown = kept["segment"]
    assert (shown["name"], shown["description"], shown["filter"]) == (
        "Golden",
        "Best customers",
        VIP,
    )
    assert shown["includes"] == [{"id": base}]

    nulls = {"description": None, "filter": None}
    cleared = (await ok(client, UPDATE_SEGMENT, {"id": segment_id, "i": nulls}))["segment"]
    assert (cleared["description"], cleared["filter"]) == (None, None)
    shown = await read_node(client, segment_id, "Segment", SEGMENT)
    assert (shown["description"], shown["filter"], shown["includes"]) == (
        None,
        None,
        [{"id": base}],
    )

    nulls = {"name": None, "kind": None, "includeIds": None, "excludeIds": None}
    errors = await refused_nulls(client, UPDATE_SEGMENT, segment_id, "Segment", SEGMENT, nulls)
    assert errors == cannot_clear("excludeIds", "includeIds", "kind", "name")


async def test_lead_form_update_keeps_and_refuses_nulls(client: Client) -> None:
    fair = await campaign(client, "Fair", channel="event")
    created = await ok(
        client,
        "mutation($c: ID!, $i: CreateLeadFormInput!) { createLeadForm(campaignId: $c, input: $i) "
        "{ form { id } errors { field code } } }",
        {
            "c": fair,
            "i": {
                "name": "Sign-up",
                "fields": {"mail": "email"},
                "allowedOrigins": ["https://shop.example"],
                "dedupeMinutes": 30,
            },
        },
    )
    form_id = created["form"]["id"]

    kept = (await ok(client, UPDATE_FORM, {"id": form_id, "i": {"honeypot": "url"}}))["form"]
    assert (kept["name"], kept["fields"], kept["dedupeMinutes"]) == (
        "Sign-up",
        {"mail": "email"},
        30,
    )
    assert (kept["honeypot"], kept["allowedOrigins"]) == ("url", ["https://shop.example"])

    nulls = {"name": None, "fields": None, "allowedOrigins": None, "dedupeMinutes": None}
    errors = await refused_nulls(client, UPDATE_FORM, form_id, "LeadForm", FORM, nulls)
    assert errors == cannot_clear("allowedOrigins", "dedupeMinutes", "fields", "name")


async def test_member_status_update_keeps_and_refuses_nulls(client: Client) -> None:
    fair = await campaign(client, "Fair", channel="event")
    added = await ok(
        client,
        "mutation($c: ID!, $i: CreateMemberStatusInput!) { addMemberStatus(campaignId: $c, "
        "input: $i) { memberStatus { id } errors { field code } } }",
        {"c": fair, "i": {"name": "Attended", "responded": True}},
    )
    status_id = added["memberStatus"]["id"]

    kept = await ok(client, UPDATE_STATUS, {"id": status_id, "i": {"name": "Came"}})
    shown = kept["memberStatus"]
    assert (shown["name"], shown["responded"], shown["isDefault"]) == ("Came", True, False)

    nulls = {"name": None, "responded": None, "position": None}
    errors = await refused_nulls(client, UPDATE_STATUS, status_id, "MemberStatus", STATUS, nulls)
    assert errors == cannot_clear("name", "position", "responded")
