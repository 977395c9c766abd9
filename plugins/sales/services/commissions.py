"""Commission plans and the commission lines each payment earns.

A payment is credited to its owner. Against an order it is split over the order's product
families in proportion to their line totals; each family earns the plan's rate for it (or the
flat rate). The part of the owner's paid revenue in a quota period that lies above the quota
earns ``rate x accelerator``. Payments are credited in the order they are recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from rapport.core import ErrorCode, Operation
from rapport.core.services.changes import apply_changes
from rapport.plugins.sales.models import (
    CommissionLine,
    CommissionPlan,
    OrderLine,
    Payment,
    Quota,
)
from rapport.plugins.sales.services.common import Problems, day_span, get_row, money

__all__ = [
    "CommissionPlanFields",
    "create_commission_plan",
    "earn_commission",
    "update_commission_plan",
]

ZERO = Decimal("0")
RATE_STEP = Decimal("0.0001")


@dataclass
class CommissionPlanFields:
    name: str | None = None
    user_id: uuid.UUID | None = None
    rate: Decimal | None = None
    family_rates: dict[str, Decimal] | None = None
    accelerator: Decimal | None = None
    active: bool | None = None


async def _validate(
    op: Operation, data: CommissionPlanFields, plan_id: uuid.UUID | None, creating: bool
) -> dict[str, object]:
    problems = Problems()
    if creating:
        problems.required("name", data.name)
        problems.required("rate", data.rate)
    for field, value in (("rate", data.rate), ("accelerator", data.accelerator)):
        if value is not None and not ZERO <= value <= 10:
            problems.add(field, "must be between 0 and 10")
    for family, rate in (data.family_rates or {}).items():
        if not ZERO <= rate <= 1:
            problems.add(f"familyRates.{family}", "must be between 0 and 1")
    await problems.user(op, "userId", data.user_id)
    if data.name:
        statement = select(CommissionPlan.id).where(CommissionPlan.name == data.name.strip())
        if plan_id is not None:
            statement = statement.where(CommissionPlan.id != plan_id)
        if (await op.session.execute(statement)).first() is not None:
            problems.add("name", "a plan of that name exists", ErrorCode.DUPLICATE)
    problems.raise_if_any()
    fields: dict[str, object] = {
        k: v for k, v in data.__dict__.items() if v is not None and k != "family_rates"
    }
    if data.name is not None:
        fields["name"] = data.name.strip()
    if data.family_rates is not None:
        fields["family_rates"] = {k: str(v) for k, v in sorted(data.family_rates.items())}
    return fields


async def create_commission_plan(op: Operation, data: CommissionPlanFields) -> CommissionPlan:
    fields = await _validate(op, data, None, creating=True)
    fields.setdefault("family_rates", {})
    plan = CommissionPlan(workspace_id=op.workspace_id, **fields)
    op.session.add(plan)
    await op.session.flush()
    op.audit("CommissionPlan", plan.id, "create", {"name": [None, plan.name]})
    return plan


async def update_commission_plan(
    op: Operation, plan_id: uuid.UUID, data: CommissionPlanFields
) -> CommissionPlan:
    plan = await get_row(op, CommissionPlan, plan_id, "id", "commission plan")
    changes = apply_changes(plan, await _validate(op, data, plan.id, creating=False))
    if changes:
        await op.session.flush()
        op.audit("CommissionPlan", plan.id, "update", changes)
    return plan


async def _plan_for(op: Operation, user_id: uuid.UUID) -> CommissionPlan | None:
    """The user's own active plan, else the active plan for everyone."""
    statement = (
        select(CommissionPlan)
        .where(
            CommissionPlan.active.is_(True),
            (CommissionPlan.user_id == user_id) | CommissionPlan.user_id.is_(None),
        )
        # Own plan first (NULLs last on both engines via the boolean), then the oldest.
        .order_by(CommissionPlan.user_id.is_(None), CommissionPlan.created_at, CommissionPlan.id)
        .limit(1)
    )
    return (await op.session.execute(statement)).scalar_one_or_none()


async def _family_shares(op: Operation, payment: Payment) -> list[tuple[str | None, Decimal]]:
    """The payment split over the order's product families, cents exact."""
    if payment.order_id is None:
        return [(None, payment.amount)]
    statement = (
        select(OrderLine.family, func.sum(OrderLine.line_total))
        .where(OrderLine.order_id == payment.order_id)
        .group_by(OrderLine.family)
    )
    totals = sorted(
        ((family, Decimal(str(total))) for family, total in await op.session.execute(statement)),
        key=lambda item: item[0] or "",
    )
    whole = sum((total for _, total in totals), ZERO)
    if whole <= 0:
        return [(None, payment.amount)]
    shares: list[tuple[str | None, Decimal]] = []
    left = payment.amount
    for index, (family, total) in enumerate(totals):
        share = left if index == len(totals) - 1 else money(payment.amount * total / whole)
        shares.append((family, share))
        left -= share
    return shares


async def _quota_room(op: Operation, payment: Payment, user_id: uuid.UUID) -> Decimal | None:
    """How much more revenue fits under the user's quota before this payment; None: no quota."""
    day = payment.received_at.date()
    quota = (
        await op.session.execute(
            select(Quota)
            .where(
                Quota.user_id == user_id,
                Quota.currency == payment.currency,
                Quota.period_start <= day,
                Quota.period_end >= day,
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    if quota is None:
        return None
    start, end = day_span(quota.period_start, quota.period_end)
    credited = (
        await op.session.execute(
            select(CommissionLine.base_amount).where(
                CommissionLine.user_id == user_id,
                CommissionLine.currency == payment.currency,
                CommissionLine.earned_at >= start,
                CommissionLine.earned_at < end,
            )
        )
    ).scalars()
    return max(ZERO, quota.amount - sum((Decimal(str(v)) for v in credited), ZERO))


def _rate(plan: CommissionPlan, family: str | None) -> Decimal:
    raw = (plan.family_rates or {}).get(family or "")
    try:
        return Decimal(str(raw)) if raw is not None else plan.rate
    except InvalidOperation:
        return plan.rate


async def earn_commission(op: Operation, payment: Payment) -> list[CommissionLine]:
    """Write the commission lines a freshly recorded payment earns its owner."""
    if payment.owner_id is None:
        return []
    plan = await _plan_for(op, payment.owner_id)
    if plan is None:
        return []
    room = await _quota_room(op, payment, payment.owner_id)
    lines: list[CommissionLine] = []

    def line(family: str | None, base: Decimal, rate: Decimal, above: bool) -> None:
        lines.append(
            CommissionLine(
                workspace_id=op.workspace_id,
                payment_id=payment.id,
                plan_id=plan.id,
                user_id=payment.owner_id,
                family=family,
                base_amount=base,
                rate=rate,
                amount=money(base * rate),
                currency=payment.currency,
                above_quota=above,
                earned_at=payment.received_at,
            )
        )

    for family, share in await _family_shares(op, payment):
        rate = _rate(plan, family)
        below = share if room is None else min(share, room)
        if below > 0:
            line(family, below, rate, False)
        if share - below > 0:
            line(family, share - below, (rate * plan.accelerator).quantize(RATE_STEP), True)
        if room is not None:
            room = max(ZERO, room - share)
    op.session.add_all(lines)
    await op.session.flush()
    return lines
