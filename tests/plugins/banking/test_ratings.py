"""Risk ratings, overdue reviews and the tasks they raise, once per review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rapport.core import JobContext
from rapport.core.models import Task
from rapport.core.services.tasks import complete_task
from rapport.plugins.banking.jobs import raise_overdue_reviews
from tests.plugins.banking.conftest import Bank, pk

TODAY = date.today()
LONG_AGO = (datetime.now(UTC) - timedelta(days=400)).isoformat()
OVERDUE = (TODAY - timedelta(days=10)).isoformat()
LATER = (TODAY + timedelta(days=200)).isoformat()
RAISE = "mutation { raiseOverdueReviewTasks { tasksCreated errors { code } } }"


async def _review_tasks(bank: Bank) -> list[Task]:
    _, session = await bank.operation_for(await bank.person("admin", "auditor"))
    async with session:
        rows = await session.execute(select(Task).where(Task.link_type == "RiskRating"))
        return list(rows.scalars())


async def test_overdue_reviews_raise_one_task_each_for_the_primary_manager(bank: Bank) -> None:
    alice = await bank.manager("alice")
    managed = await bank.customer("Ada Lovelace")
    orphan = await bank.customer("No Manager")
    await bank.assign(alice, managed)
    overdue = await bank.rate(managed, "CREDIT", "BB", OVERDUE, rated_at=LONG_AGO)
    await bank.rate(managed, "AML_KYC", "LOW", LATER)
    await bank.rate(orphan, "LIQUIDITY", "WEAK", OVERDUE, rated_at=LONG_AGO)

    data = await bank.admin.query(RAISE)
    assert data["raiseOverdueReviewTasks"] == {"tasksCreated": 1, "errors": []}
    assert (await bank.admin.query(RAISE))["raiseOverdueReviewTasks"]["tasksCreated"] == 0
    # The worker's job is the same operation: it finds nothing new either.
    await raise_overdue_reviews(JobContext(bank.runtime))
    tasks = await _review_tasks(bank)
    assert [(t.link_id, t.assignee_id, t.customer_id, t.status) for t in tasks] == [
        (pk(overdue), alice.user_id, pk(managed), "open")
    ]
    # Once that task is done and the rating is still overdue, a new one is due.
    op, session = await bank.operation_for(alice)
    async with session, op.transaction():
        await complete_task(op, tasks[0].id)
    assert (await bank.admin.query(RAISE))["raiseOverdueReviewTasks"]["tasksCreated"] == 1
    # A fresh rating supersedes the overdue one: nothing more is raised.
    await bank.rate(managed, "CREDIT", "BBB", LATER)
    for task in await _review_tasks(bank):
        if task.status == "open":
            op, session = await bank.operation_for(alice)
            async with session, op.transaction():
                await complete_task(op, task.id)
    assert (await bank.admin.query(RAISE))["raiseOverdueReviewTasks"]["tasksCreated"] == 0


async def test_the_job_raises_tasks_in_every_workspace(bank: Bank) -> None:
    alice = await bank.manager("alice")
    managed = await bank.customer("Ada Lovelace")
    await bank.assign(alice, managed)
    await bank.rate(managed, "CREDIT", "BB", OVERDUE, rated_at=LONG_AGO)
    assert await raise_overdue_reviews(JobContext(bank.runtime)) >= 1
    assert len(await _review_tasks(bank)) == 1
    assert (await bank.admin.query(RAISE))["raiseOverdueReviewTasks"]["tasksCreated"] == 0


async def test_reviews_due_and_customer_ratings(bank: Bank) -> None:
    alice = await bank.manager("alice")
    managed = await bank.customer("Ada Lovelace")
    await bank.assign(alice, managed)
    first = await bank.rate(managed, "CREDIT", "BB", OVERDUE, rated_at=LONG_AGO)
    await bank.rate(managed, "LIQUIDITY", "ADEQUATE", LATER)
    data = await alice.client.query(
        """query($id: ID!) { reviewsDue { edges { node { id isOverdue } } }
             customer(id: $id) { riskRatings { kind isOverdue }
                                 overdue: riskRatings(overdueOnly: true) { id } } }""",
        {"id": managed},
    )
    assert data["reviewsDue"]["edges"] == [{"node": {"id": first, "isOverdue": True}}]
    assert sorted(r["kind"] for r in data["customer"]["riskRatings"]) == ["CREDIT", "LIQUIDITY"]
    assert data["customer"]["overdue"] == [{"id": first}]
    # Re-rating keeps the history: the old rating is no longer current.
    await bank.rate(managed, "CREDIT", "BBB", LATER)
    data = await alice.client.query(
        "query($id: ID!) { customer(id: $id) { riskRatings(currentOnly: false) { rating isCurrent } } }",
        {"id": managed},
    )
    assert sorted((r["rating"], r["isCurrent"]) for r in data["customer"]["riskRatings"]) == [
        ("ADEQUATE", True),
        ("BB", False),
        ("BBB", True),
    ]


async def test_rating_inputs_are_checked(bank: Bank) -> None:
    client = await bank.customer("Ada Lovelace")
    query = """mutation($input: RiskRatingInput!) { rateRisk(input: $input) {
                 rating { id } errors { field code } } }"""
    cases = [
        ({"rating": "", "nextReviewOn": LATER}, "input.rating"),
        ({"rating": "extreme-ish", "nextReviewOn": LATER}, "input.rating"),
        ({"rating": "LOW", "nextReviewOn": LATER}, "input.rating"),  # an AML grade, not credit
        ({"rating": "A", "nextReviewOn": TODAY.isoformat()}, "input.nextReviewOn"),
        (
            {"rating": "A", "nextReviewOn": LATER, "ratedAt": "2999-01-01T00:00:00+00:00"},
            "input.ratedAt",
        ),
    ]
    for given, field in cases:
        data = await bank.admin.query(
            query, {"input": {"customerId": client, "kind": "CREDIT", **given}}
        )
        payload = data["rateRisk"]
        assert payload["rating"] is None
        assert payload["errors"][0] == {"field": field, "code": "INVALID"}, given


async def test_a_deleted_client_has_no_review_due(bank: Bank) -> None:
    alice = await bank.manager("alice")
    gone = await bank.customer("Gone Away")
    await bank.assign(alice, gone)
    await bank.rate(gone, "CREDIT", "BB", OVERDUE, rated_at=LONG_AGO)
    deleted = await bank.admin.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": gone}
    )
    assert deleted["deleteCustomer"]["errors"] == []
    assert (await bank.admin.query(RAISE))["raiseOverdueReviewTasks"]["tasksCreated"] == 0
    await raise_overdue_reviews(JobContext(bank.runtime))  # every workspace: no failure
    assert await _review_tasks(bank) == []
