"""Risk ratings (credit, liquidity, AML/KYC) and the review tasks of overdue ones.

A new rating of a kind supersedes the customer's previous rating of that kind; only current
ratings are due for review. An overdue review becomes one core task for the client's primary
manager, linked to the rating, so raising tasks again never makes a second open one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import (
    OPEN_TASK_STATUSES,
    CoreErrorCode,
    Customer,
    ErrorCode,
    FieldError,
    Operation,
    Task,
    TaskFields,
    ValidationFailed,
    create_task,
    utcnow,
)
from rapport.plugins.banking.access import today
from rapport.plugins.banking.events import RiskRated
from rapport.plugins.banking.models import RiskRating
from rapport.plugins.banking.services.assignments import primary_managers
from rapport.plugins.banking.services.common import require_customer

__all__ = [
    "RATING_KINDS",
    "RATING_SCALES",
    "REVIEW_LINK",
    "RatingFields",
    "overdue_condition",
    "overdue_ratings",
    "raise_overdue_review_tasks",
    "rate_customer",
]

# The scale of each kind, best first; a rating is one of its kind's grades, never free text.
RATING_SCALES: dict[str, tuple[str, ...]] = {
    "credit": ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"),
    "liquidity": ("STRONG", "ADEQUATE", "WEAK"),
    "aml_kyc": ("LOW", "MEDIUM", "HIGH"),
}
RATING_KINDS = tuple(RATING_SCALES)
# Tasks for a review point at the rating through the core task's link.
REVIEW_LINK = "RiskRating"


@dataclass
class RatingFields:
    customer_id: uuid.UUID
    kind: str
    rating: str
    next_review_on: date
    rated_at: datetime | None = None
    notes: str | None = None


async def rate_customer(op: Operation, data: RatingFields) -> RiskRating:
    errors: list[FieldError] = []
    if data.kind not in RATING_KINDS:
        errors.append(
            FieldError("input.kind", ErrorCode.INVALID, f"must be one of {', '.join(RATING_KINDS)}")
        )
    rating = data.rating.strip().upper()
    scale = RATING_SCALES.get(data.kind)
    if scale is not None and rating not in scale:
        errors.append(
            FieldError(
                "input.rating",
                CoreErrorCode.NOT_ONE_OF,
                f"a {data.kind} rating is one of {', '.join(scale)}",
            )
        )
    rated_at = data.rated_at or utcnow()
    if rated_at > utcnow():
        errors.append(FieldError("input.ratedAt", ErrorCode.INVALID, "must not be in the future"))
    if data.next_review_on <= rated_at.date():
        errors.append(
            FieldError("input.nextReviewOn", ErrorCode.INVALID, "must come after the rating")
        )
    if errors:
        raise ValidationFailed(errors)
    await require_customer(op, data.customer_id, "input.customerId")
    await op.session.execute(
        update(RiskRating)
        .where(
            RiskRating.customer_id == data.customer_id,
            RiskRating.kind == data.kind,
            RiskRating.is_current.is_(True),
        )
        .values(is_current=False)
        .execution_options(synchronize_session="fetch")
    )
    row = RiskRating(
        workspace_id=op.workspace_id,
        customer_id=data.customer_id,
        kind=data.kind,
        rating=rating,
        rated_at=rated_at,
        next_review_on=data.next_review_on,
        rated_by_id=op.actor.user_id,
        notes=data.notes,
    )
    op.session.add(row)
    await op.session.flush()
    op.audit(
        "RiskRating",
        row.id,
        "rate",
        {"kind": [None, row.kind], "rating": [None, row.rating]},
        customer_id=row.customer_id,
    )
    await op.emit(
        RiskRated(id=row.id, customer_id=row.customer_id, kind=row.kind, rating=row.rating)
    )
    return row


def overdue_condition(before: date) -> ColumnElement[bool]:
    return (RiskRating.is_current.is_(True)) & (RiskRating.next_review_on < before)


async def overdue_ratings(session: AsyncSession, before: date) -> list[RiskRating]:
    """Current ratings whose review date lies before ``before``, oldest review first.

    A deleted customer has no reviews due: no task can be raised on it.
    """
    live = select(Customer.id).where(Customer.deleted_at.is_(None))
    rows = await session.execute(
        select(RiskRating)
        .where(overdue_condition(before), RiskRating.customer_id.in_(live))
        .order_by(RiskRating.next_review_on, RiskRating.id)
    )
    return list(rows.scalars())


async def raise_overdue_review_tasks(op: Operation, on: date | None = None) -> list[Task]:
    """One open task per overdue review, for the client's primary manager; returns the new
    ones. Reviews that already have an open task, or whose client has no primary manager,
    are left alone."""
    day = on or today()
    overdue = await overdue_ratings(op.session, day)
    if not overdue:
        return []
    covered = set(
        (
            await op.session.execute(
                select(Task.link_id).where(
                    Task.link_type == REVIEW_LINK,
                    Task.link_id.in_([r.id for r in overdue]),
                    Task.status.in_(OPEN_TASK_STATUSES),
                    Task.deleted_at.is_(None),
                )
            )
        ).scalars()
    )
    managers = await primary_managers(op.session, {r.customer_id for r in overdue}, day)
    created: list[Task] = []
    for rating in overdue:
        manager = managers.get(rating.customer_id)
        if rating.id in covered or manager is None:
            continue
        task = await create_task(
            op,
            TaskFields(
                title=f"Review overdue {rating.kind.replace('_', '/').upper()} rating",
                description=(
                    f"The {rating.kind} rating {rating.rating} was due for review on "
                    f"{rating.next_review_on.isoformat()}."
                ),
                customer_id=rating.customer_id,
                assignee_id=manager,
                priority="high",
                due_at=datetime.combine(day, time(17), tzinfo=UTC),
                link_type=REVIEW_LINK,
                link_id=rating.id,
            ),
        )
        created.append(task)
    return created
