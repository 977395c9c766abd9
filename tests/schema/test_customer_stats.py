"""``customerStats``: group counts checked against counts made by hand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import organization, person

STATS = """
query($groupBy: [CustomerDimension!]!, $filter: CustomerFilter) {
  customerStats(groupBy: $groupBy, filter: $filter) { total groups { keys count } }
}
"""


async def stats(client: Client, group_by: list[str], filter: dict | None = None) -> dict:
    data = await client.query(STATS, {"groupBy": group_by, "filter": filter})
    result = data["customerStats"]
    return {
        "total": result["total"],
        "groups": {tuple(g["keys"]): g["count"] for g in result["groups"]},
    }


OVERRIDE = """
mutation($id: ID!, $grade: String) {
  overrideValueGrade(customerId: $id, grade: $grade) { errors { field code } }
}
"""

PEOPLE = [
    # (first, industry, region, grade, years old or None)
    ("A", "finance", "North", "A", 30),
    ("B", "finance", "North", "B", 40),
    ("C", "finance", "South", "A", 17),
    ("D", "retail", "North", None, 70),
    ("E", "retail", None, "A", None),
]


async def seed(client: Client) -> None:
    today = datetime.now(UTC).date()
    for first, industry, region, grade, years in PEOPLE:
        extra: dict = {"industry": industry}
        if region:
            extra["region"] = region
        if years is not None:
            # The birthday was 20 days ago: exactly `years` old today.
            anniversary = today.replace(year=today.year - years, day=min(today.day, 28))
            extra["birthDate"] = (anniversary - timedelta(days=20)).isoformat()
        customer_id = await person(client, first, "Test", **extra)
        if grade:
            # Grades are computed; a person's override is how a test sets one outright.
            data = await client.query(OVERRIDE, {"id": customer_id, "grade": grade})
            assert data["overrideValueGrade"]["errors"] == []
    await organization(client, "Acme", industry="retail", region="North")


async def test_group_counts_match_hand_counts(client: Client) -> None:
    await seed(client)
    by_industry = await stats(client, ["INDUSTRY"])
    assert by_industry == {"total": 6, "groups": {("finance",): 3, ("retail",): 3}}

    both = await stats(client, ["INDUSTRY", "REGION"])
    expected = Counter((p[1], p[2]) for p in PEOPLE)
    expected[("retail", "North")] += 1
    assert both["groups"] == dict(expected)

    kinds = await stats(client, ["KIND", "VALUE_GRADE"])
    assert kinds["groups"] == {
        ("person", "A"): 3,
        ("person", "B"): 1,
        ("person", None): 1,
        ("organization", None): 1,
    }

    filtered = await stats(client, ["REGION"], {"industry": {"eq": "finance"}})
    assert filtered == {"total": 3, "groups": {("North",): 2, ("South",): 1}}


async def test_age_bands_are_computed_in_the_database(client: Client) -> None:
    await seed(client)
    bands = await stats(client, ["AGE_BAND"])
    assert bands["groups"] == {
        ("25_34",): 1,
        ("35_44",): 1,
        ("under_18",): 1,
        ("65_plus",): 1,
        (None,): 2,
    }


async def test_owner_groups_use_user_ids(client: Client, runtime: Runtime) -> None:
    me = (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    await person(client, "Owned", "One", ownerId=me)
    await person(client, "Owned", "Two", ownerId=me)
    await person(client, "Nobody", "Owns")
    owners = await stats(client, ["OWNER"])
    assert owners["groups"] == {(me,): 2, (None,): 1}
    # Largest group first.
    data = await client.query(STATS, {"groupBy": ["OWNER"]})
    assert data["customerStats"]["groups"][0]["count"] == 2


async def test_no_dimensions_is_one_total(client: Client) -> None:
    await seed(client)
    assert await stats(client, []) == {"total": 6, "groups": {(): 6}}
    assert await stats(client, [], {"region": {"eq": "nowhere"}}) == {"total": 0, "groups": {}}


async def test_stats_stay_in_the_workspace(client: Client, other_client: Client) -> None:
    await seed(client)
    assert await stats(other_client, ["INDUSTRY"]) == {"total": 0, "groups": {}}
    assert await stats(other_client, []) == {"total": 0, "groups": {}}
