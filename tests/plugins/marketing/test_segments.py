"""Segments: stored filters checked against the schema, dynamic and snapshot membership,
includes and excludes without cycles, permissions and the workspace boundary."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.marketing.helpers import (
    ERRORS,
    error_codes,
    error_reasons,
    ok,
    payload,
    person,
    segment,
)

SEGMENT = "id name kind filter memberCount refreshedAt size includes { name } excludes { name }"
CREATE = (
    "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { segment { "
    + SEGMENT
    + " } "
    + ERRORS
    + " } }"
)
UPDATE = (
    "mutation($id: ID!, $i: UpdateSegmentInput!) { updateSegment(id: $id, input: $i) { segment { "
    + SEGMENT
    + " } "
    + ERRORS
    + " } }"
)
REFRESH = (
    "mutation($id: ID!) { refreshSegment(id: $id) { seconds segment { "
    + SEGMENT
    + " } "
    + ERRORS
    + " } }"
)
READ = "query($id: ID!) { node(id: $id) { ... on Segment { " + SEGMENT + " } } }"


async def _people(client: Client) -> dict[str, str]:
    return {
        "ann": await person(
            client, "Ann North", occupation="owner", region="North", birthDate="1980-05-01"
        ),
        "bob": await person(
            client, "Bob South", occupation="owner", region="South", birthDate="1975-01-01"
        ),
        "cid": await person(
            client, "Cid East", occupation="owner", region="East", birthDate="1980-01-01"
        ),
        "dee": await person(
            client, "Dee North", occupation="teacher", region="North", birthDate="1980-01-01"
        ),
        "eve": await person(
            client, "Eve North", occupation="owner", region="North", birthDate="2001-01-01"
        ),
    }


OWNERS = {
    "occupation": {"eq": "owner"},
    "ageBand": ["AGE_35_44", "AGE_45_54"],
    "region": {"in": ["North", "South"]},
}


async def test_a_dynamic_segment_is_the_filter_evaluated_when_read(client: Client) -> None:
    await _people(client)
    created = payload(await client.query(CREATE, {"i": {"name": "Owners", "filter": OWNERS}}))
    assert created["errors"] == []
    found = created["segment"]
    assert found["kind"] == "DYNAMIC"
    assert found["filter"] == OWNERS
    assert found["size"] == 2  # Ann and Bob: Cid is in the East, Dee teaches, Eve is 25
    await person(client, "Fay South", occupation="owner", region="South", birthDate="1972-03-03")
    again = await client.query(READ, {"id": found["id"]})
    assert again["node"]["size"] == 3


async def test_a_filter_that_does_not_fit_the_schema_is_refused_by_field(client: Client) -> None:
    result = payload(
        await client.query(
            CREATE, {"i": {"name": "Bad", "filter": {"industri": {"eq": "x"}, "ageBand": ["OLD"]}}}
        )
    )
    assert result["segment"] is None
    fields = sorted(e["field"] for e in result["errors"])
    assert fields == ["input.filter", "input.filter.ageBand.0"]
    assert "industry" in next(
        e["message"] for e in result["errors"] if e["field"] == "input.filter"
    )
    listed = await client.query("{ segments { totalCount } }")
    assert listed["segments"]["totalCount"] == 0


async def test_a_snapshot_keeps_its_members_until_refreshed(client: Client) -> None:
    await _people(client)
    snapshot = await segment(client, "Owners then", kind="SNAPSHOT", filter=OWNERS)
    before = await client.query(READ, {"id": snapshot})
    assert before["node"]["memberCount"] is None
    assert before["node"]["size"] == 0
    refreshed = payload(await client.query(REFRESH, {"id": snapshot}))
    assert refreshed["errors"] == []
    assert refreshed["seconds"] >= 0
    assert refreshed["segment"]["memberCount"] == 2
    assert refreshed["segment"]["refreshedAt"]
    await person(client, "Gus South", occupation="owner", region="South", birthDate="1976-06-06")
    stale = await client.query(READ, {"id": snapshot})
    assert stale["node"]["size"] == 2  # stored, not re-evaluated
    again = payload(await client.query(REFRESH, {"id": snapshot}))
    assert again["segment"]["memberCount"] == 3
    assert again["segment"]["size"] == 3


async def test_a_dynamic_segment_cannot_be_refreshed(client: Client) -> None:
    live = await segment(client, "Live", filter={})
    assert await error_codes(client, REFRESH, {"id": live}) == ["INVALID_TRANSITION"]


async def test_includes_add_and_excludes_remove(client: Client) -> None:
    people = await _people(client)
    north = await segment(client, "North", filter={"region": {"eq": "North"}})
    teachers = await segment(client, "Teachers", filter={"occupation": {"eq": "teacher"}})
    east = await segment(client, "East", kind="SNAPSHOT", filter={"region": {"eq": "East"}})
    await ok(client, REFRESH, {"id": east})
    combined = await segment(
        client, "North or East, no teachers", includeIds=[north, east], excludeIds=[teachers]
    )
    found = (await client.query(READ, {"id": combined}))["node"]
    assert found["size"] == 3  # Ann, Eve (North), Cid (East); Dee teaches
    assert [s["name"] for s in found["includes"]] == ["East", "North"]
    assert [s["name"] for s in found["excludes"]] == ["Teachers"]
    members = await client.query(
        'query($s: ID!) { audienceAnalysis(segmentId: $s, by: [REGION], currency: "EUR") '
        "{ values { value } members } }",
        {"s": combined},
    )
    regions = {g["values"][0]["value"]: g["members"] for g in members["audienceAnalysis"]}
    assert regions == {"North": 2, "East": 1}
    assert people  # every person was created


async def test_cycles_and_contradictions_are_refused(client: Client) -> None:
    a = await segment(client, "A", filter={})
    b = await segment(client, "B", includeIds=[a])
    c = await segment(client, "C", includeIds=[b])
    result = payload(await client.query(UPDATE, {"id": a, "i": {"excludeIds": [c]}}))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("input.excludeIds.0", "INVALID")
    ]
    self_ref = payload(await client.query(UPDATE, {"id": a, "i": {"includeIds": [a]}}))
    assert [e["field"] for e in self_ref["errors"]] == ["input.includeIds.0"]
    assert await error_reasons(client, UPDATE, {"id": a, "i": {"includeIds": [a]}}) == [
        ("INVALID", "MARKETING_SEGMENT_CYCLE")
    ]
    both = payload(
        await client.query(CREATE, {"i": {"name": "D", "includeIds": [a], "excludeIds": [a]}})
    )
    assert [e["field"] for e in both["errors"]] == ["input.excludeIds"]
    clash = payload(await client.query(CREATE, {"i": {"name": "A"}}))
    assert [e["code"] for e in clash["errors"]] == ["CONFLICT"]
    used = payload(
        await client.query(
            "mutation($id: ID!) { deleteSegment(id: $id) { segment { id } " + ERRORS + " } }",
            {"id": a},
        )
    )
    assert [e["code"] for e in used["errors"]] == ["INVALID_TRANSITION"]


async def test_segment_overlap(client: Client) -> None:
    await _people(client)
    north = await segment(client, "North", filter={"region": {"eq": "North"}})
    owners = await segment(client, "Owners", filter={"occupation": {"eq": "owner"}})
    data = await client.query(
        "query($a: ID!, $b: ID!) { segmentOverlap(first: $a, second: $b) "
        "{ first second both onlyFirst onlySecond jaccard } }",
        {"a": north, "b": owners},
    )
    # North: Ann, Dee, Eve. Owners: Ann, Bob, Cid, Eve. Both: Ann, Eve.
    assert data["segmentOverlap"] == {
        "first": 3,
        "second": 4,
        "both": 2,
        "onlyFirst": 1,
        "onlySecond": 2,
        "jaccard": "0.4000",
    }


async def test_permissions_and_workspaces(
    runtime: Runtime, client: Client, other_client: Client
) -> None:
    mine = await segment(client, "Mine", filter={})
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(CREATE, {"i": {"name": "Nope"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await viewer.query("{ segments { nodes { name } } }")
    assert listed["segments"]["nodes"] == [{"name": "Mine"}]
    theirs = await other_client.query("{ segments { totalCount } }")
    assert theirs["segments"]["totalCount"] == 0
    seen = await other_client.query(READ, {"id": mine})
    assert seen["node"] is None
    refused = await error_codes(other_client, UPDATE, {"id": mine, "i": {"name": "Taken"}})
    assert refused == ["NOT_FOUND"]
