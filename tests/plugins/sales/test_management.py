"""Pipelines, territories, quotas and commission plans: sales:manage, validated."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.sales.helpers import (
    ERRORS,
    customer,
    error_codes,
    me,
    ok,
    opportunity,
    payload,
    stages,
)

CREATE_PIPELINE = (
    "mutation($i: PipelineInput!) { createPipeline(input: $i) { pipeline { id name isDefault "
    "stages { id name position probability category } } " + ERRORS + " } }"
)
UPDATE_PIPELINE = (
    "mutation($id: ID!, $d: Boolean) { updatePipeline(id: $id, input: {isDefault: $d}) { pipeline { "
    "isDefault } " + ERRORS + " } }"
)
TERRITORY = (
    "mutation($n: String!, $p: ID) { createTerritory(name: $n, parentId: $p) { territory { id "
    "parentId } " + ERRORS + " } }"
)
MOVE_TERRITORY = (
    "mutation($id: ID!, $p: ID) { updateTerritory(id: $id, input: {parentId: $p}) { territory { id } "
    + ERRORS
    + " } }"
)
MEMBER = (
    "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { territory { "
    "memberIds } " + ERRORS + " } }"
)
UNMEMBER = (
    "mutation($t: ID!, $u: ID!) { removeTerritoryMember(territoryId: $t, userId: $u) { territory "
    "{ memberIds } " + ERRORS + " } }"
)
QUOTA = "mutation($i: QuotaInput!) { setQuota(input: $i) { quota { id amount } " + ERRORS + " } }"
PLAN = (
    "mutation($i: CreateCommissionPlanInput!) { createCommissionPlan(input: $i) { commissionPlan { id "
    "familyRates tiers { attainment multiplier } } " + ERRORS + " } }"
)


async def test_pipelines_with_their_own_stages(client: Client) -> None:
    first = (
        await ok(
            client,
            CREATE_PIPELINE,
            {
                "i": {
                    "name": "Enterprise",
                    "stages": [
                        {"name": "Discovery", "probability": 20},
                        {"name": "Signed", "probability": 90, "category": "WON"},
                        {"name": "Dropped", "probability": 10, "category": "LOST"},
                    ],
                }
            },
        )
    )["pipeline"]
    # The first pipeline becomes the default; a won stage may say 90 %: category is stored.
    assert first["isDefault"] is True
    assert [(s["name"], s["position"], s["category"]) for s in first["stages"]] == [
        ("Discovery", 0, "OPEN"),
        ("Signed", 1, "WON"),
        ("Dropped", 2, "LOST"),
    ]
    second = (
        await ok(
            client,
            CREATE_PIPELINE,
            {
                "i": {
                    "name": "SMB",
                    "isDefault": True,
                    "stages": [{"name": "Open", "probability": 30}],
                }
            },
        )
    )["pipeline"]
    assert second["isDefault"] is True
    data = await client.query("{ pipelines(filter: {isDefault: {eq: true}}) { nodes { name } } }")
    assert data["pipelines"]["nodes"] == [{"name": "SMB"}]
    # There is always one default.
    assert await error_codes(client, UPDATE_PIPELINE, {"id": second["id"], "d": False}) == [
        "CONFLICT"
    ]
    assert (await ok(client, UPDATE_PIPELINE, {"id": first["id"], "d": True}))["pipeline"][
        "isDefault"
    ]
    deal = await opportunity(client, await customer(client))
    assert deal["pipeline"]["name"] == "Enterprise"
    assert deal["stage"]["name"] == "Discovery"


async def test_bad_pipelines_are_refused(client: Client) -> None:
    await ok(
        client,
        CREATE_PIPELINE,
        {"i": {"name": "Main", "stages": [{"name": "A", "probability": 5}]}},
    )
    for stages_input, name, expected in (
        ([{"name": "A", "probability": 5}], "main", [("input.name", "DUPLICATE")]),
        ([], "Other", [("input.stages", "REQUIRED")]),
        (
            [{"name": "W", "probability": 100, "category": "WON"}],
            "Other",
            [("input.stages", "INVALID")],
        ),
        (
            [{"name": " ", "probability": 101}],
            "Other",
            [("input.stages.0.name", "REQUIRED"), ("input.stages.0.probability", "INVALID")],
        ),
    ):
        result = payload(
            await client.query(CREATE_PIPELINE, {"i": {"name": name, "stages": stages_input}})
        )
        assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    assert (await client.query("{ pipelines { totalCount } }"))["pipelines"]["totalCount"] == 1


async def test_stage_changes_follow_through(client: Client) -> None:
    deal = await opportunity(client, await customer(client))
    manual = await opportunity(client, await customer(client, "Other"), probability=42)
    ids = await stages(client)
    await ok(
        client,
        "mutation($id: ID!) { updateStage(id: $id, input: {probability: 15}) { stage { probability } "
        + ERRORS
        + " } }",
        {"id": ids["Prospecting"]},
    )
    data = await client.query(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Opportunity { probability } } "
        "b: node(id: $b) { ... on Opportunity { probability } } }",
        {"a": deal["id"], "b": manual["id"]},
    )
    assert data == {"a": {"probability": 15}, "b": {"probability": 42}}
    pipeline = deal["pipeline"]["id"]
    added = await ok(
        client,
        'mutation($p: ID!) { addStage(pipelineId: $p, position: 1, input: {name: "Demo", probability: 20}) '
        "{ stage { position pipeline { stages { name } } } " + ERRORS + " } }",
        {"p": pipeline},
    )
    assert [s["name"] for s in added["stage"]["pipeline"]["stages"]][:3] == [
        "Prospecting",
        "Demo",
        "Qualification",
    ]
    result = payload(
        await client.query(
            'mutation($p: ID!) { addStage(pipelineId: $p, position: 99, input: {name: "X", probability: 1}) '
            "{ " + ERRORS + " } }",
            {"p": pipeline},
        )
    )
    assert [e["field"] for e in result["errors"]] == ["input.position"]


async def test_territory_tree_and_members(client: Client, runtime: Runtime) -> None:
    user = await me(client)
    world = (await ok(client, TERRITORY, {"n": "World"}))["territory"]
    europe = (await ok(client, TERRITORY, {"n": "Europe", "p": world["id"]}))["territory"]
    assert europe["parentId"] == world["id"]
    spain = (await ok(client, TERRITORY, {"n": "Spain", "p": europe["id"]}))["territory"]
    # No cycles, no duplicate names.
    result = payload(await client.query(MOVE_TERRITORY, {"id": world["id"], "p": spain["id"]}))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("input.parentId", "INVALID")]
    result = payload(await client.query(TERRITORY, {"n": "Spain"}))
    assert [e["code"] for e in result["errors"]] == ["DUPLICATE"]
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Territory { children { name children { name } } } } }",
        {"id": world["id"]},
    )
    assert data["node"]["children"] == [{"name": "Europe", "children": [{"name": "Spain"}]}]
    assert (await ok(client, MEMBER, {"t": europe["id"], "u": user}))["territory"]["memberIds"] == [
        user
    ]
    assert await error_codes(client, MEMBER, {"t": europe["id"], "u": user}) == ["CONFLICT"]
    assert (await ok(client, UNMEMBER, {"t": europe["id"], "u": user}))["territory"][
        "memberIds"
    ] == []
    assert await error_codes(client, UNMEMBER, {"t": europe["id"], "u": user}) == [
        "INVALID_TRANSITION"
    ]
    member = await client.as_role(runtime, "member")
    body = await member.post(TERRITORY, {"n": "Mars"})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_quotas_do_not_overlap(client: Client, other_client: Client) -> None:
    user = await me(client)
    q1 = {
        "userId": user,
        "periodStart": "2026-01-01",
        "periodEnd": "2026-03-31",
        "amount": "100",
        "currency": "EUR",
    }
    created = (await ok(client, QUOTA, {"i": q1}))["quota"]
    # The same period changes the amount; an overlapping one is refused.
    again = (await ok(client, QUOTA, {"i": {**q1, "amount": "150"}}))["quota"]
    assert again == {"id": created["id"], "amount": "150.00"}
    overlap = {**q1, "periodStart": "2026-03-01", "periodEnd": "2026-05-31"}
    assert await error_codes(client, QUOTA, {"i": overlap}) == ["CONFLICT"]
    # Another currency is another target.
    await ok(client, QUOTA, {"i": {**overlap, "currency": "USD"}})
    for bad, fields in (
        ({**q1, "userId": None}, ["input.userId"]),
        ({**q1, "periodEnd": "2025-12-31"}, ["input.periodEnd"]),
        ({**q1, "amount": "-5", "currency": "eur"}, ["input.amount", "input.currency"]),
    ):
        result = payload(await client.query(QUOTA, {"i": bad}))
        assert [e["field"] for e in result["errors"]] == fields
    # Their user is not ours.
    theirs = await me(other_client)
    result = payload(await client.query(QUOTA, {"i": {**q1, "userId": theirs}}))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("input.userId", "NOT_FOUND")]
    assert (await other_client.query("{ quotas { totalCount } }"))["quotas"]["totalCount"] == 0


async def test_commission_plans_are_validated(client: Client) -> None:
    plan = await ok(
        client,
        PLAN,
        {
            "i": {
                "name": "Base",
                "rate": "0.05",
                "familyRates": {"svc": "0.2"},
                "tiers": [
                    {"attainment": "1.5", "multiplier": "2"},
                    {"attainment": "1", "multiplier": "1.5"},
                ],
            }
        },
    )
    assert plan["commissionPlan"]["tiers"] == [
        {"attainment": "1", "multiplier": "1.5"},
        {"attainment": "1.5", "multiplier": "2"},
    ]
    assert plan["commissionPlan"]["familyRates"] == {"svc": "0.2"}
    for bad, fields in (
        ({"name": "Base", "rate": "0.05"}, ["input.name"]),
        ({"name": "Y", "rate": "0.1", "familyRates": {"svc": "3"}}, ["input.familyRates.svc"]),
        ({"name": "Z", "rate": "0.1", "familyRates": {"svc": "lots"}}, ["input.familyRates"]),
        (
            {
                "name": "T",
                "rate": "0.1",
                "tiers": [
                    {"attainment": "1", "multiplier": "2"},
                    {"attainment": "1", "multiplier": "3"},
                ],
            },
            ["input.tiers"],
        ),
        (
            {"name": "U", "rate": "2", "tiers": [{"attainment": "0", "multiplier": "0"}]},
            ["input.rate", "input.tiers.0.attainment", "input.tiers.0.multiplier"],
        ),
    ):
        result = payload(await client.query(PLAN, {"i": bad}))
        assert [e["field"] for e in result["errors"]] == fields, bad
    data = await client.query("{ commissionPlans { totalCount } }")
    assert data["commissionPlans"]["totalCount"] == 1


async def test_management_mutations_stop_at_the_workspace(
    client: Client, other_client: Client
) -> None:
    deal = await opportunity(client, await customer(client))
    territory = (await ok(client, TERRITORY, {"n": "North"}))["territory"]
    ids = await stages(client)
    theirs = await me(other_client)
    for mutation, variables in (
        (UPDATE_PIPELINE, {"id": deal["pipeline"]["id"], "d": True}),
        (
            "mutation($id: ID!) { updateStage(id: $id, input: {probability: 1}) { "
            + ERRORS
            + " } }",
            {"id": ids["Won"]},
        ),
        (
            'mutation($p: ID!) { addStage(pipelineId: $p, input: {name: "X", probability: 1}) '
            "{ " + ERRORS + " } }",
            {"p": deal["pipeline"]["id"]},
        ),
        (MEMBER, {"t": territory["id"], "u": theirs}),
        (MOVE_TERRITORY, {"id": territory["id"], "p": None}),
    ):
        assert await error_codes(other_client, mutation, variables) == ["NOT_FOUND"], mutation
    theirs_lists = await other_client.query(
        "{ territories { totalCount } commissionPlans { totalCount } pipelines { totalCount } }"
    )
    assert all(v["totalCount"] == 0 for v in theirs_lists.values())


async def test_default_roles_get_the_sales_permissions(client: Client, runtime: Runtime) -> None:
    expected = {
        "admin": {"sales:read", "sales:write", "sales:manage"},
        "member": {"sales:read", "sales:write"},
        "viewer": {"sales:read"},
    }
    for role, granted in expected.items():
        caller = client if role == "admin" else await client.as_role(runtime, role)
        permissions = (await caller.query("{ viewer { permissions } }"))["viewer"]["permissions"]
        assert {p for p in permissions if p.startswith("sales:")} == granted, role
    events = runtime.vocabulary.event_types
    for name in (
        "opportunity.stage_changed",
        "opportunity.big_deal",
        "lead.converted",
        "payment.received",
        "opportunity.won",
        "opportunity.lost",
    ):
        assert name in events
