"""Commission plans and the commission lines each payment earns.

A payment is credited to its owner. Against an order it is split over the order's product
families in proportion to their line totals; each family earns the plan's rate for it (or the
flat rate). Tiers raise the rate with quota attainment: with a tier at attainment 1.0 and
multiplier 1.5, revenue credited beyond the quota (in the owner's quota period) earns 1.5 x the
rate, up to the next tier. Payments are credited in the order they are recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from rapport.core import ErrorCode, FieldValues, Operation, apply_changes
from rapport.plugins.sales.error_codes import SalesErrorCode
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
    "Tier",
    "create_commission_plan",
    "earn_commission",
    "plan_tiers",
    "tiered",
    "update_commission_plan",
]

ZERO = Decimal("0")
ONE = Decimal("1")
RATE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class Tier:
    """From ``attainment`` x quota on, the rate is multiplied by ``multiplier``."""

    attainment: Decimal
    multiplier: Decimal


@dataclass
class CommissionPlanFields(FieldValues):
    name: str | None = None
    user_id: uuid.UUID | None = None
    rate: Decimal | None = None
    family_rates: dict[str, Decimal] | None = None
    tiers: list[Tier] | None = None
    active: bool | None = None


async def _validate(
    op: Operation, data: CommissionPlanFields, plan_id: uuid.UUID | None, creating: bool
) -> dict[str, object]:
    problems = Problems()
    if creating:
        problems.required("name", data.name)
        problems.required("rate", data.rate)
    # Rates, attainments and multipliers are stored with four decimals (Numeric(8, 4)).
    rate_ok = problems.number("rate", data.rate, 4)
    if rate_ok and data.rate is not None and not ZERO <= data.rate <= 1:
        problems.add("rate", "must be between 0 and 1", SalesErrorCode.RATE_OUT_OF_RANGE)
    for index, tier in enumerate(data.tiers or []):
        at = f"tiers.{index}."
        if problems.number(f"{at}attainment", tier.attainment, 4) and tier.attainment <= 0:
            problems.add(f"{at}attainment", "must be more than zero")
        fine = problems.number(f"{at}multiplier", tier.multiplier, 4)
        if fine and not 0 < tier.multiplier <= 10:
            problems.add(f"{at}multiplier", "must be more than 0 and at most 10")
    if problems.errors:
        problems.raise_if_any()
    thresholds = [tier.attainment for tier in data.tiers or []]
    if len(set(thresholds)) != len(thresholds):
        problems.add("tiers", "two tiers start at the same attainment")
    for family, rate in (data.family_rates or {}).items():
        if problems.number(f"familyRates.{family}", rate, 4) and not ZERO <= rate <= 1:
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
        k: v for k, v in data.given().items() if k not in ("family_rates", "tiers")
    }
    if data.name is not None:
        fields["name"] = data.name.strip()
    if data.family_rates is not None:
        fields["family_rates"] = {k: str(v) for k, v in sorted(data.family_rates.items())}
    if data.tiers is not None:
        fields["tiers"] = [
            {"attainment": str(t.attainment), "multiplier": str(t.multiplier)}
            for t in sorted(data.tiers, key=lambda t: t.attainment)
        ]
    return fields


async def create_commission_plan(op: Operation, data: CommissionPlanFields) -> CommissionPlan:
    fields = await _validate(op, data, None, creating=True)
    fields.setdefault("family_rates", {})
    fields.setdefault("tiers", [])
    plan = CommissionPlan(workspace_id=op.workspace_id, **fields)
    op.session.add(plan)
    await op.session.flush()
    op.audit("CommissionPlan", plan.id, "create", {"name": [None, plan.name]})
    return plan


async def update_commission_plan(
    op: Operation, plan_id: uuid.UUID, data: CommissionPlanFields
) -> CommissionPlan:
    plan = await get_row(op, CommissionPlan, plan_id, "id", "commission plan")
    # Only the user may be cleared (the plan then applies to everyone); a null is refused
    # for the rest.
    cleared = {k: v for k, v in data.patch(CommissionPlan).items() if k in data.cleared}
    fields = await _validate(op, data, plan.id, creating=False)
    changes = apply_changes(plan, fields | cleared)
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


async def _quota_position(
    op: Operation, payment: Payment, user_id: uuid.UUID
) -> tuple[Decimal, Decimal] | None:
    """The user's quota covering the payment and the revenue credited in it so far."""
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
    return quota.amount, sum((Decimal(str(v)) for v in credited), ZERO)


def plan_tiers(plan: CommissionPlan) -> list[Tier]:
    return sorted(
        (
            Tier(Decimal(str(t["attainment"])), Decimal(str(t["multiplier"])))
            for t in plan.tiers or []
        ),
        key=lambda t: t.attainment,
    )


def tiered(
    amount: Decimal, credited: Decimal, quota: Decimal | None, tiers: list[Tier]
) -> list[tuple[Decimal, Decimal]]:
    """``amount`` cut into (part, multiplier) pieces at the tier thresholds, counting from
    the revenue already ``credited`` against ``quota``."""
    bounds = (
        [] if quota is None or quota <= 0 else [(quota * t.attainment, t.multiplier) for t in tiers]
    )
    pieces: list[tuple[Decimal, Decimal]] = []
    position, left = credited, amount
    while left > 0:
        multiplier = ONE
        for bound, tier_multiplier in bounds:
            if position >= bound:
                multiplier = tier_multiplier
        ahead = [bound for bound, _ in bounds if bound > position]
        part = min(left, min(ahead) - position) if ahead else left
        pieces.append((part, multiplier))
        position += part
        left -= part
    return pieces


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
    found = await _quota_position(op, payment, payment.owner_id)
    quota, credited = found if found is not None else (None, ZERO)
    tiers = plan_tiers(plan)
    lines: list[CommissionLine] = []
    for family, share in await _family_shares(op, payment):
        base_rate = _rate(plan, family)
        for part, multiplier in tiered(share, credited, quota, tiers):
            rate = (base_rate * multiplier).quantize(RATE_STEP)
            lines.append(
                CommissionLine(
                    workspace_id=op.workspace_id,
                    payment_id=payment.id,
                    plan_id=plan.id,
                    user_id=payment.owner_id,
                    family=family,
                    base_amount=part,
                    rate=rate,
                    multiplier=multiplier,
                    amount=money(part * rate),
                    currency=payment.currency,
                    earned_at=payment.received_at,
                )
            )
        credited += share
    op.session.add_all(lines)
    await op.session.flush()
    return lines
