"""Installed products with warranties, field visits with their lines, periodic callbacks,
and the customer merge that moves all of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rapport.core import JobContext
from rapport.core.runtime import Runtime
from rapport.plugins.service import run_schedules
from tests.conftest import Client
from tests.plugins.service.helpers import ERRORS, customer, errors, me, ok, open_case

ASSET = (
    "mutation($i: CreateAssetInput!) { createAsset(input: $i) { asset { id status coversParts } "
    + ERRORS
    + " } }"
)
VISIT = "id status technicianId startedAt endedAt durationSeconds outcome lines { kind covered quantity unitPrice }"
CREATE_VISIT = (
    "mutation($i: WorkOrderInput!) { createWorkOrder(input: $i) { workOrder { "
    + VISIT
    + " } "
    + ERRORS
    + " } }"
)
MOVE_VISIT = (
    "mutation($id: ID!, $s: WorkOrderStatus!, $i: WorkOrderMoveInput) { moveWorkOrder(id: $id, status: $s, input: $i) { workOrder { "
    + VISIT
    + " } "
    + ERRORS
    + " } }"
)
LINE = (
    "mutation($id: ID!, $i: WorkOrderLineInput!) { addWorkOrderLine(workOrderId: $id, input: $i) { workOrder { "
    + VISIT
    + " } "
    + ERRORS
    + " } }"
)


async def _asset(client: Client, owner: str, serial: str = "SN-1", **more: object) -> str:
    today = date.today()
    fields = {
        "customerId": owner,
        "product": "Boiler X200",
        "serialNumber": serial,
        "warrantyStart": (today - timedelta(days=100)).isoformat(),
        "warrantyEnd": (today + timedelta(days=265)).isoformat(),
        "coversParts": True,
        **more,
    }
    return str((await ok(client, ASSET, {"i": fields}))["asset"]["id"])


async def test_assets_warranty_at_the_cases_opening_and_validation(client: Client) -> None:
    acme = await customer(client)
    boiler = await _asset(client, acme)
    duplicate = await errors(
        client, ASSET, {"i": {"customerId": acme, "product": "Boiler X200", "serialNumber": "SN-1"}}
    )
    assert duplicate[0]["field"] == "input.serialNumber"
    backwards = await errors(
        client,
        ASSET,
        {
            "i": {
                "customerId": acme,
                "product": "P",
                "serialNumber": "2",
                "warrantyStart": "2026-05-01",
                "warrantyEnd": "2026-01-01",
            }
        },
    )
    assert backwards[0]["field"] == "input.warrantyEnd"
    case = await open_case(client, acme, assetId=boiler)
    assert case["inWarranty"] is True
    old = await open_case(
        client, acme, assetId=boiler, openedAt=(datetime.now(UTC) - timedelta(days=200)).isoformat()
    )
    assert old["inWarranty"] is False
    other = await customer(client, "Other")
    wrong = await errors(
        client,
        "mutation($i: OpenCaseInput!) { openCase(input: $i) { case { id } " + ERRORS + " } }",
        {"i": {"customerId": other, "subject": "x", "channel": "PHONE", "assetId": boiler}},
    )
    assert wrong[0]["field"] == "input.assetId"
    listed = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Customer { assets { totalCount } } } }",
        {"id": acme},
    )
    assert listed["node"]["assets"]["totalCount"] == 1


async def test_a_visit_from_new_to_completed_with_covered_lines(client: Client) -> None:
    acme = await customer(client)
    boiler = await _asset(client, acme)
    case = await open_case(client, acme, assetId=boiler)
    technician = await me(client)
    visit = (await ok(client, CREATE_VISIT, {"i": {"subject": "Repair", "caseId": case["id"]}}))[
        "workOrder"
    ]
    skipped = await errors(client, MOVE_VISIT, {"id": visit["id"], "s": "COMPLETED"})
    assert skipped[0]["code"] == "INVALID_TRANSITION"
    unplanned = await errors(client, MOVE_VISIT, {"id": visit["id"], "s": "SCHEDULED"})
    assert {e["field"] for e in unplanned} == {"technicianId", "arrivalFrom"}
    soon = datetime.now(UTC) + timedelta(hours=2)
    window = {
        "technicianId": technician,
        "arrivalFrom": soon.isoformat(),
        "arrivalUntil": (soon + timedelta(hours=2)).isoformat(),
    }
    await ok(client, MOVE_VISIT, {"id": visit["id"], "s": "SCHEDULED", "i": window})
    await ok(client, MOVE_VISIT, {"id": visit["id"], "s": "DISPATCHED"})
    start = datetime.now(UTC) - timedelta(minutes=90)
    await ok(
        client, MOVE_VISIT, {"id": visit["id"], "s": "IN_PROGRESS", "i": {"at": start.isoformat()}}
    )
    part = await ok(
        client,
        LINE,
        {
            "id": visit["id"],
            "i": {
                "kind": "PART",
                "description": "Valve",
                "quantity": "1",
                "unitPrice": "42.50",
                "currency": "EUR",
            },
        },
    )
    labour = await ok(
        client,
        LINE,
        {
            "id": visit["id"],
            "i": {
                "kind": "LABOUR",
                "description": "Fitting",
                "quantity": "1.5",
                "unitPrice": "60",
                "currency": "EUR",
            },
        },
    )
    assert part["workOrder"]["lines"][-1]["covered"] is True
    assert [
        line["covered"] for line in labour["workOrder"]["lines"] if line["kind"] == "LABOUR"
    ] == [False]
    no_outcome = await errors(client, MOVE_VISIT, {"id": visit["id"], "s": "COMPLETED"})
    assert no_outcome[0]["field"] == "outcome"
    done = await ok(
        client,
        MOVE_VISIT,
        {
            "id": visit["id"],
            "s": "COMPLETED",
            "i": {
                "at": (start + timedelta(minutes=75)).isoformat(),
                "outcome": "Valve replaced",
                "signOffNote": "Signed by Mrs Dupont",
            },
        },
    )
    assert done["workOrder"]["durationSeconds"] == 75 * 60
    closed = await errors(
        client,
        LINE,
        {
            "id": visit["id"],
            "i": {
                "kind": "PART",
                "description": "x",
                "quantity": "1",
                "unitPrice": "1",
                "currency": "EUR",
            },
        },
    )
    assert closed[0]["field"] == "input.workOrderId" or closed[0]["field"].endswith("workOrderId")


async def test_periodic_callbacks_create_visits_and_tasks_when_due(
    client: Client, runtime: Runtime
) -> None:
    acme = await customer(client)
    boiler = await _asset(client, acme)
    schedule = (
        "mutation($i: ServiceScheduleInput!) { createServiceSchedule(input: $i) { schedule { id nextAt createdCount active } "
        + ERRORS
        + " } }"
    )
    bad = await errors(
        client,
        schedule,
        {
            "i": {
                "subject": "Service",
                "recurrence": "FREQ=HOURLY",
                "firstAt": datetime.now(UTC).isoformat(),
                "assetId": boiler,
            }
        },
    )
    assert bad[0]["field"] == "input.recurrence"
    past = datetime.now(UTC) - timedelta(days=15)
    await ok(
        client,
        schedule,
        {
            "i": {
                "subject": "Yearly service",
                "recurrence": "FREQ=WEEKLY;COUNT=2",
                "firstAt": past.isoformat(),
                "assetId": boiler,
            }
        },
    )
    await ok(
        client,
        schedule,
        {
            "i": {
                "subject": "Call back",
                "recurrence": "FREQ=MONTHLY",
                "creates": "TASK",
                "firstAt": past.isoformat(),
                "customerId": acme,
            }
        },
    )
    await run_schedules(JobContext(runtime))
    data = await client.query(
        "{ workOrders { totalCount nodes { assetId subject status } } serviceSchedules { nodes { subject createdCount active } } }"
    )
    # Two weekly visits (its COUNT) and one monthly task; the weekly schedule is spent.
    assert data["workOrders"]["totalCount"] == 2
    schedules = {s["subject"]: s for s in data["serviceSchedules"]["nodes"]}
    assert schedules["Yearly service"] == {
        "subject": "Yearly service",
        "createdCount": 2,
        "active": False,
    }
    assert schedules["Call back"]["createdCount"] == 1
    await run_schedules(JobContext(runtime))
    again = await client.query("{ workOrders { totalCount } }")
    assert again["workOrders"]["totalCount"] == 2


async def test_merging_customers_moves_cases_and_assets(client: Client) -> None:
    survivor = await customer(client, "Survivor")
    merged = await customer(client, "Merged")
    await _asset(client, merged, "SN-9")
    await open_case(client, merged)
    result = await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { errors { message } } }",
        {"s": survivor, "m": [merged]},
    )
    assert result["mergeCustomers"]["errors"] == []
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Customer { openCaseCount assets { totalCount } } } }",
        {"id": survivor},
    )
    assert data["node"] == {"openCaseCount": 1, "assets": {"totalCount": 1}}


PERSON = (
    "mutation($l: String!) { createCustomer(input: {kind: PERSON, lastName: $l}) "
    "{ customer { id } " + ERRORS + " } }"
)


async def test_merging_contacts_moves_the_cases_they_raised(client: Client) -> None:
    acme = await customer(client)
    survivor = (await ok(client, PERSON, {"l": "Survivor"}))["customer"]["id"]
    merged = (await ok(client, PERSON, {"l": "Merged"}))["customer"]["id"]
    case = await open_case(client, acme, contactId=merged)
    result = await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { errors { message } } }",
        {"s": survivor, "m": [merged]},
    )
    assert result["mergeCustomers"]["errors"] == []
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { customer { id } contact { id } } } }",
        {"id": case["id"]},
    )
    # The case stays with its customer; only the person who raised it is the survivor now.
    assert data["node"] == {"customer": {"id": acme}, "contact": {"id": survivor}}


async def test_a_line_is_priced_in_its_currency(client: Client) -> None:
    acme = await customer(client)
    visit = (await ok(client, CREATE_VISIT, {"i": {"subject": "Repair", "customerId": acme}}))[
        "workOrder"
    ]
    line = {"kind": "PART", "description": "Valve", "quantity": "1", "currency": "EUR"}
    query = LINE.replace(ERRORS, "errors { field code reason }")
    for price, currency, quantity, field, reason in (
        ("0.001", "EUR", "1", "input.unitPrice", "CORE_TOO_MANY_DECIMALS"),
        ("100.5", "JPY", "1", "input.unitPrice", "CORE_TOO_MANY_DECIMALS"),
        ("NaN", "EUR", "1", "input.unitPrice", "CORE_NOT_A_NUMBER"),
        ("10", "EUR", "Infinity", "input.quantity", "CORE_NOT_A_NUMBER"),
    ):
        given = {**line, "unitPrice": price, "currency": currency, "quantity": quantity}
        data = await client.query(query, {"id": visit["id"], "i": given})
        assert data["addWorkOrderLine"]["errors"] == [
            {"field": field, "code": "INVALID", "reason": reason}
        ], price
