"""A person's value grade: kept beside the derived one, flagged, audited, never recomputed."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from rapport.core.db import table_of, utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import ValidationFailed
from rapport.core.insights.grades import VALUE_GRADES
from rapport.core.insights.recompute import recompute_insights
from rapport.core.models import Customer, CustomerInsight
from rapport.core.services.customers import get_customer
from rapport.core.services.operation import Operation

__all__ = ["override_value_grade"]


async def override_value_grade(
    op: Operation, customer_id: uuid.UUID, grade: str | None, field: str = "customerId"
) -> CustomerInsight:
    """Set the customer's grade by hand, or with ``None`` go back to the derived one."""
    if grade is not None and grade not in VALUE_GRADES:
        raise ValidationFailed.one(
            "grade", f"must be one of {', '.join(VALUE_GRADES)}", CoreErrorCode.NOT_ONE_OF
        )
    await get_customer(op, customer_id, field)
    statement = select(CustomerInsight).where(CustomerInsight.customer_id == customer_id)
    insight = (await op.session.execute(statement)).scalar_one_or_none()
    if insight is None:
        await recompute_insights(op, [customer_id])
        insight = (await op.session.execute(statement)).scalar_one()
    before = insight.grade_override
    insight.grade_override = grade
    insight.grade_override_by_id = op.actor.user_id if grade is not None else None
    insight.grade_override_at = utcnow() if grade is not None else None
    customers = table_of(Customer)
    await op.session.execute(
        update(customers)
        .where(customers.c.workspace_id == op.workspace_id, customers.c.id == customer_id)
        .values(value_grade=grade if grade is not None else insight.derived_grade)
    )
    await op.session.flush()
    op.audit(
        "CustomerInsight",
        insight.id,
        "override_grade",
        {"grade_override": [before, grade]},
        customer_id=customer_id,
    )
    return insight
