"""Updates of pipelines, stages, territories and commission plans: a field left out is kept,
an explicit null clears a field that may be empty and is refused, naming it, for one the
record needs."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, me, ok, stages
from tests.plugins.updates import cannot_clear, read_node, refused_nulls, update_mutation

PIPELINE = "id name isDefault"
STAGE = "id name probability category"
TERRITORY = "id name parentId"
PLAN = "id name userId rate familyRates active tiers { attainment multiplier }"
UPDATE_PIPELINE = update_mutation("updatePipeline", "UpdatePipelineInput", "pipeline", PIPELINE)
UPDATE_STAGE = update_mutation("updateStage", "UpdateStageInput", "stage", STAGE)
UPDATE_TERRITORY = update_mutation(
    "updateTerritory", "UpdateTerritoryInput", "territory", TERRITORY
)
UPDATE_PLAN = update_mutation(
    "updateCommissionPlan", "UpdateCommissionPlanInput", "commissionPlan", PLAN
)
CREATE_TERRITORY = (
    "mutation($n: String!, $p: ID) { createTerritory(name: $n, parentId: $p) { territory { id } "
    + ERRORS
    + " } }"
)


async def _pipeline(client: Client) -> str:
    created = await ok(
        client,
        "mutation($i: PipelineInput!) { createPipeline(input: $i) { pipeline { id } "
        + ERRORS
        + " } }",
        {"i": {"name": "Renewals", "stages": [{"name": "Open", "probability": 20}]}},
    )
    return str(created["pipeline"]["id"])


async def test_pipeline_update_keeps_and_refuses_nulls(client: Client) -> None:
    pipeline_id = await _pipeline(client)
    kept = await ok(client, UPDATE_PIPELINE, {"id": pipeline_id, "i": {"name": "Upsell"}})
    assert (kept["pipeline"]["name"], kept["pipeline"]["isDefault"]) == ("Upsell", True)

    nulls = {"name": None, "isDefault": None}
    errors = await refused_nulls(client, UPDATE_PIPELINE, pipeline_id, "Pipeline", PIPELINE, nulls)
    assert errors == cannot_clear("isDefault", "name")


async def test_stage_update_keeps_and_refuses_nulls(client: Client) -> None:
    stage_id = (await stages(client, await _pipeline(client)))["Open"]
    kept = (await ok(client, UPDATE_STAGE, {"id": stage_id, "i": {"name": "Talking"}}))["stage"]
    assert (kept["name"], kept["probability"], kept["category"]) == ("Talking", 20, "OPEN")

    nulls = {"name": None, "probability": None}
    errors = await refused_nulls(client, UPDATE_STAGE, stage_id, "Stage", STAGE, nulls)
    assert errors == cannot_clear("name", "probability")


async def test_territory_update_keeps_clears_and_refuses(client: Client) -> None:
    europe = (await ok(client, CREATE_TERRITORY, {"n": "Europe"}))["territory"]["id"]
    spain = (await ok(client, CREATE_TERRITORY, {"n": "Spain", "p": europe}))["territory"]["id"]

    kept = await ok(client, UPDATE_TERRITORY, {"id": spain, "i": {"name": "Iberia"}})
    assert (kept["territory"]["name"], kept["territory"]["parentId"]) == ("Iberia", europe)

    rooted = await ok(client, UPDATE_TERRITORY, {"id": spain, "i": {"parentId": None}})
    assert rooted["territory"]["parentId"] is None
    assert (await read_node(client, spain, "Territory", TERRITORY))["parentId"] is None

    errors = await refused_nulls(
        client, UPDATE_TERRITORY, spain, "Territory", TERRITORY, {"name": None}
    )
    assert errors == cannot_clear("name")


async def test_commission_plan_update_keeps_clears_and_refuses(client: Client) -> None:
    user = await me(client)
    created = await ok(
        client,
        "mutation($i: CreateCommissionPlanInput!) { createCommissionPlan(input: $i) { "
        "commissionPlan { id } " + ERRORS + " } }",
        {
            "i": {
                "name": "Standard",
                "rate": "0.05",
                "userId": user,
                "familyRates": {"software": "0.10"},
                "tiers": [{"attainment": "1", "multiplier": "2"}],
            }
        },
    )
    plan_id = created["commissionPlan"]["id"]

    kept = await ok(client, UPDATE_PLAN, {"id": plan_id, "i": {"rate": "0.06"}})
    plan = kept["commissionPlan"]
    assert (plan["name"], plan["rate"], plan["userId"], plan["active"]) == (
        "Standard",
        "0.06",
        user,
        True,
    )
    assert plan["familyRates"] == {"software": "0.10"}
    assert len(plan["tiers"]) == 1

    cleared = await ok(client, UPDATE_PLAN, {"id": plan_id, "i": {"userId": None}})
    assert cleared["commissionPlan"]["userId"] is None
    assert (await read_node(client, plan_id, "CommissionPlan", PLAN))["userId"] is None

    nulls = {"name": None, "rate": None, "familyRates": None, "tiers": None, "active": None}
    errors = await refused_nulls(client, UPDATE_PLAN, plan_id, "CommissionPlan", PLAN, nulls)
    assert errors == cannot_clear("active", "familyRates", "name", "rate", "tiers")
