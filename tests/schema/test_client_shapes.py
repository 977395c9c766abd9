"""What a typed client reads from the schema: vocabularies, counts, and what a scalar holds."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Client
from tests.schema.factories import interaction, person, task


async def test_interaction_kinds_list_core_and_plugin_kinds(client: Client) -> None:
    data = await client.query("{ interactionKinds { key label source } }")
    kinds = {kind["key"]: kind for kind in data["interactionKinds"]}
    assert kinds["call"] == {"key": "call", "label": "Call", "source": "core"}
    assert {kind["source"] for kind in kinds.values()} >= {"core", "service"}
    assert [kind["key"] for kind in data["interactionKinds"]] == sorted(kinds)
    assert kinds["case_note"]["source"] == "service"


async def test_the_timeline_counts_every_entry_across_pages(client: Client) -> None:
    ada = await person(client, "Ada", "Counted")
    for day in range(1, 4):
        await interaction(client, ada, "call", f"2021-01-0{day}T10:00:00Z", subject=f"call {day}")
    await task(client, "follow up", customerId=ada)
    grace = await person(client, "Grace", "Counted")
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer {
        all: timeline(first: 2) { totalCount edges { cursor } }
        calls: timeline(first: 1, kinds: [INTERACTION]) { totalCount } } } }"""
    data = await client.query(query, {"ids": [ada, grace]})
    mine, theirs = data["nodes"]
    # Three calls, a task, and the creation of the customer.
    assert mine["all"]["totalCount"] == 5
    assert len(mine["all"]["edges"]) == 2
    assert mine["calls"]["totalCount"] == 3
    assert theirs["all"]["totalCount"] == 1
    assert theirs["calls"]["totalCount"] == 0


def test_the_sdl_says_what_a_decimal_holds(project_root: Path) -> None:
    sdl = (project_root / "schema" / "schema.graphql").read_text(encoding="utf-8")
    described = sdl.split("scalar Decimal")[0].rsplit('"""', 2)[-2]
    assert "string" in described
    assert "currency" in described
