"""The case workflow: transitions (illegal ones refused whole, with the reason), complaints,
duplicates, the reopen window, the conversation on the customer's timeline, permissions and
the workspace boundary."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.service.helpers import (
    CASE_FIELDS,
    ERRORS,
    OPEN,
    REASONS,
    customer,
    entry,
    errors,
    me,
    move,
    moved,
    ok,
    open_case,
    paris,
)

ASSIGN = (
    "mutation($id: ID!, $a: ID, $t: String) { assignCase(id: $id, assigneeId: $a, team: $t) { case { "
    + CASE_FIELDS
    + " } "
    + ERRORS
    + " } }"
)
HISTORY = "query($id: ID!) { node(id: $id) { ... on Case { statusCategory statusHistory { fromCategory toCategory } activities { action detail } conversation { kind direction body } } } }"


async def test_an_illegal_move_is_refused_with_the_reason_and_changes_nothing(
    client: Client,
) -> None:
    acme = await customer(client)
    case = await open_case(client, acme)
    refused = await errors(client, move("waitOnCustomer", errors=REASONS), {"id": case["id"]})
    assert refused[0]["code"] == "INVALID_TRANSITION"
    assert refused[0]["reason"] == "SERVICE_ILLEGAL_TRANSITION"
    assert "NEW can move to" in refused[0]["message"]
    data = await client.query(HISTORY, {"id": case["id"]})
    assert data["node"]["statusCategory"] == "NEW"
    assert [c["toCategory"] for c in data["node"]["statusHistory"]] == ["NEW"]


async def test_assignment_moves_a_new_case_and_the_story_is_kept(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme, description="The screen is black")
    user = await me(client)
    assigned = await ok(client, ASSIGN, {"id": case["id"], "a": user, "t": "Level 1"})
    assert (assigned["case"]["statusCategory"], assigned["case"]["team"]) == ("ASSIGNED", "Level 1")
    await moved(client, "startCase", case["id"])
    await moved(client, "waitOnCustomer", case["id"])
    await entry(client, case["id"], "CUSTOMER_MESSAGE", None, "Here is the photo")
    await moved(client, "startCase", case["id"])
    await moved(client, "resolveCase", case["id"], resolutionSummary="Cable replaced")
    closed = await moved(client, "closeCase", case["id"])
    assert closed["statusCategory"] == "CLOSED"
    data = (await client.query(HISTORY, {"id": case["id"]}))["node"]
    assert [c["toCategory"] for c in data["statusHistory"]] == [
        "NEW",
        "ASSIGNED",
        "IN_PROGRESS",
        "WAITING_ON_CUSTOMER",
        "IN_PROGRESS",
        "RESOLVED",
        "CLOSED",
    ]
    assert data["activities"][0]["action"] == "assigned"
    assert next((e["direction"], e["body"]) for e in data["conversation"]) == (
        "inbound",
        "The screen is black",
    )


async def test_a_complaint_needs_its_root_cause_and_resolution_to_close(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme, kind="COMPLAINT", category="Billing")
    await moved(client, "startCase", case["id"])
    await moved(client, "resolveCase", case["id"])
    refused = await errors(client, move("closeCase", errors=REASONS), {"id": case["id"], "i": {}})
    assert {(e["field"], e["reason"]) for e in refused} == {
        ("rootCause", "SERVICE_ROOT_CAUSE_REQUIRED"),
        ("resolutionSummary", "SERVICE_RESOLUTION_SUMMARY_REQUIRED"),
    }
    assert all(e["code"] == "REQUIRED" for e in refused)
    closed = await moved(
        client, "closeCase", case["id"], rootCause="Tariff error", resolutionSummary="Refunded"
    )
    assert (closed["statusCategory"], closed["rootCause"]) == ("CLOSED", "Tariff error")


async def test_duplicate_names_the_original_and_is_final(client: Client) -> None:
    acme = await customer(client)
    original = await open_case(client, acme)
    copy = await open_case(client, acme)
    mark = move("markCaseDuplicate", "$original: ID!")
    itself = await errors(client, mark, {"id": copy["id"], "original": copy["id"]})
    assert itself[0]["field"] == "duplicateOfId"
    marked = await ok(client, mark, {"id": copy["id"], "original": original["id"]})
    assert marked["case"]["duplicateOfId"] == original["id"]
    refused = await errors(client, move("startCase"), {"id": copy["id"]})
    assert refused[0]["message"] == "a duplicate case is final"


async def test_reopen_only_within_the_window(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 9))
    await moved(client, "resolveCase", case["id"], at=paris(2026, 3, 2, 10))
    late = await errors(
        client,
        move("reopenCase", errors=REASONS),
        {"id": case["id"], "i": {"at": paris(2026, 3, 20)}},
    )
    assert late[0]["code"] == "INVALID_TRANSITION"
    assert late[0]["reason"] == "SERVICE_REOPEN_WINDOW_PASSED"
    assert "14 days" in late[0]["message"]
    reopened = await moved(client, "reopenCase", case["id"], at=paris(2026, 3, 10))
    assert reopened["reopenCount"] == 1


async def test_moves_cannot_go_back_in_time_nor_into_the_future(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 10))
    before = await errors(
        client, move("resolveCase"), {"id": case["id"], "i": {"at": paris(2026, 3, 2, 9, 30)}}
    )
    assert before[0]["field"] == "at"
    future = await errors(
        client, move("resolveCase"), {"id": case["id"], "i": {"at": paris(2030, 1, 1)}}
    )
    assert future[0]["field"] == "at"


async def test_bad_inputs_name_their_fields(client: Client, other_client: Client) -> None:
    acme = await customer(client)
    bad = await errors(
        client, OPEN, {"i": {"customerId": acme, "subject": " ", "channel": "PHONE", "severity": 9}}
    )
    assert {e["field"] for e in bad} == {"input.subject", "input.severity"}
    stranger = await customer(other_client)
    missing = await errors(
        client, OPEN, {"i": {"customerId": stranger, "subject": "x", "channel": "EMAIL"}}
    )
    assert missing[0] == {
        "field": "input.customerId",
        "code": "NOT_FOUND",
        "message": "customer not found",
    }


async def test_conversation_entries_are_on_the_customers_timeline(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme)
    await entry(client, case["id"], "PUBLIC_REPLY", None, "We are on it")
    await entry(client, case["id"], "INTERNAL_NOTE", None, "Check the logs")
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Customer { openCaseCount cases { totalCount nodes { id } } "
        "recentInteractions(last: 10) { kind direction body } } } }",
        {"id": acme},
    )
    customer_view = data["node"]
    assert customer_view["openCaseCount"] == 1
    assert customer_view["cases"]["nodes"] == [{"id": case["id"]}]
    kinds = {(i["kind"], i["direction"]) for i in customer_view["recentInteractions"]}
    assert {("case_reply", "OUTBOUND"), ("case_note", "INTERNAL")} <= kinds


async def test_viewers_read_but_do_not_write_and_other_workspaces_see_nothing(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    acme = await customer(client)
    case = await open_case(client, acme)
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(OPEN, {"i": {"customerId": acme, "subject": "x", "channel": "WEB"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    seen = await viewer.query("{ cases { totalCount } }")
    assert seen["cases"]["totalCount"] == 1
    assert (await other_client.query("{ cases { totalCount } }"))["cases"]["totalCount"] == 0
    node = await other_client.query("query($id: ID!) { node(id: $id) { id } }", {"id": case["id"]})
    assert node["node"] is None
    refused = await other_client.query(move("startCase"), {"id": case["id"]})
    assert refused["startCase"]["errors"][0]["code"] == "NOT_FOUND"


async def test_filters_on_cases(client: Client) -> None:
    acme = await customer(client)
    await open_case(client, acme, priority="HIGH", kind="COMPLAINT")
    low = await open_case(client, acme, priority="LOW")
    await moved(client, "rejectCase", low["id"])
    data = await client.query(
        "{ high: cases(filter: {priority: [HIGH]}) { totalCount } open: cases(filter: {isOpen: true}) { totalCount } "
        "complaints: cases(filter: {kind: [COMPLAINT], statusCategory: [NEW]}) { totalCount } "
        "rejected: cases(filter: {isOpen: false}) { nodes { statusCategory } } }"
    )
    assert (
        data["high"]["totalCount"],
        data["open"]["totalCount"],
        data["complaints"]["totalCount"],
    ) == (1, 1, 1)
    assert data["rejected"]["nodes"] == [{"statusCategory": "REJECTED"}]
