"""Territories (a tree, with member users) and quotas per user or territory and period."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select

from rapport.core import (
    Conflict,
    ErrorCode,
    FieldValues,
    InvalidTransition,
    Operation,
    apply_changes,
)
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.models import Quota, Territory, TerritoryMember
from rapport.plugins.sales.services.common import Problems, get_row, money

__all__ = [
    "QuotaFields",
    "TerritoryFields",
    "add_territory_member",
    "create_territory",
    "descendants",
    "remove_territory_member",
    "set_quota",
    "update_territory",
]


@dataclass
class TerritoryFields(FieldValues):
    name: str | None = None
    parent_id: uuid.UUID | None = None


async def _parents(op: Operation) -> dict[uuid.UUID, uuid.UUID | None]:
    rows = await op.session.execute(select(Territory.id, Territory.parent_id))
    return {row[0]: row[1] for row in rows.all()}


async def descendants(op: Operation, territory_id: uuid.UUID) -> set[uuid.UUID]:
    """The territory and every territory below it."""
    parents = await _parents(op)
    found = {territory_id}
    grew = True
    while grew:
        below = {child for child, parent in parents.items() if parent in found} - found
        found |= below
        grew = bool(below)
    return found


async def _check_name(op: Operation, problems: Problems, name: str, but: uuid.UUID | None) -> None:
    problems.required("name", name)
    statement = select(Territory.id).where(Territory.name == name)
    if but is not None:
        statement = statement.where(Territory.id != but)
    if name and (await op.session.execute(statement)).first() is not None:
        problems.add("name", "a territory of that name exists", ErrorCode.DUPLICATE)


async def create_territory(op: Operation, name: str, parent_id: uuid.UUID | None) -> Territory:
    problems = Problems()
    name = name.strip()
    await _check_name(op, problems, name, None)
    await problems.exists(op, "parentId", Territory, parent_id, "territory")
    problems.raise_if_any()
    territory = Territory(workspace_id=op.workspace_id, name=name, parent_id=parent_id)
    op.session.add(territory)
    await op.session.flush()
    op.audit("Territory", territory.id, "create", {"name": [None, name]})
    return territory


async def update_territory(
    op: Operation, territory_id: uuid.UUID, data: TerritoryFields
) -> Territory:
    territory = await get_row(op, Territory, territory_id, "id", "territory")
    # A null name is refused; a null parent makes the territory a root.
    fields: dict[str, object] = data.patch(Territory)
    problems = Problems()
    if data.name is not None:
        fields["name"] = data.name.strip()
        await _check_name(op, problems, data.name.strip(), territory.id)
    if data.parent_id is not None:
        await problems.exists(op, "parentId", Territory, data.parent_id, "territory")
        if data.parent_id in await descendants(op, territory.id):
            problems.add(
                "parentId", "a territory cannot sit below itself", SalesErrorCode.TERRITORY_CYCLE
            )
    problems.raise_if_any()
    changes = apply_changes(territory, fields)
    if changes:
        await op.session.flush()
        op.audit("Territory", territory.id, "update", changes)
    return territory


async def add_territory_member(
    op: Operation, territory_id: uuid.UUID, user_id: uuid.UUID
) -> Territory:
    territory = await get_row(op, Territory, territory_id, "territoryId", "territory")
    problems = Problems("")
    await problems.user(op, "userId", user_id)
    problems.raise_if_any()
    existing = await op.session.execute(
        select(TerritoryMember.id).where(
            TerritoryMember.territory_id == territory.id, TerritoryMember.user_id == user_id
        )
    )
    if existing.first() is not None:
        raise Conflict("userId", "the user is a member already")
    op.session.add(
        TerritoryMember(workspace_id=op.workspace_id, territory_id=territory.id, user_id=user_id)
    )
    await op.session.flush()
    op.audit("Territory", territory.id, "add_member", {"userId": [None, str(user_id)]})
    return territory


async def remove_territory_member(
    op: Operation, territory_id: uuid.UUID, user_id: uuid.UUID
) -> Territory:
    territory = await get_row(op, Territory, territory_id, "territoryId", "territory")
    result = await op.session.execute(
        delete(TerritoryMember).where(
            TerritoryMember.territory_id == territory.id, TerritoryMember.user_id == user_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise InvalidTransition("userId", "the user is not a member")
    op.audit("Territory", territory.id, "remove_member", {"userId": [str(user_id), None]})
    return territory


@dataclass
class QuotaFields:
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    user_id: uuid.UUID | None = None
    territory_id: uuid.UUID | None = None


async def set_quota(op: Operation, data: QuotaFields) -> Quota:
    """Create the quota of a user or territory for a period, or change its amount.

    Quotas of one target and currency never overlap, so attainment has one target per day.
    """
    problems = Problems()
    if (data.user_id is None) == (data.territory_id is None):
        problems.add(
            "userId",
            "a quota is for a user or a territory (one of the two)",
            SalesErrorCode.ONE_TARGET_REQUIRED,
        )
    await problems.user(op, "userId", data.user_id)
    await problems.exists(op, "territoryId", Territory, data.territory_id, "territory")
    if data.period_end < data.period_start:
        problems.add("periodEnd", "must not come before the start")
    problems.money("amount", data.amount, data.currency)
    problems.currency("currency", data.currency)
    problems.raise_if_any()
    same_target = (
        Quota.user_id == data.user_id
        if data.user_id is not None
        else Quota.territory_id == data.territory_id
    )
    overlapping = list(
        (
            await op.session.execute(
                select(Quota).where(
                    same_target,
                    Quota.currency == data.currency,
                    Quota.period_start <= data.period_end,
                    Quota.period_end >= data.period_start,
                )
            )
        ).scalars()
    )
    exact = [
        q
        for q in overlapping
        if (q.period_start, q.period_end) == (data.period_start, data.period_end)
    ]
    if overlapping and not exact:
        raise Conflict("input.periodStart", "overlaps another quota of the same target")
    if exact:
        quota = exact[0]
        changes = apply_changes(quota, {"amount": money(data.amount)})
        if changes:
            await op.session.flush()
            op.audit("Quota", quota.id, "update", changes)
        return quota
    quota = Quota(
        workspace_id=op.workspace_id,
        user_id=data.user_id,
        territory_id=data.territory_id,
        period_start=data.period_start,
        period_end=data.period_end,
        amount=money(data.amount),
        currency=data.currency,
    )
    op.session.add(quota)
    await op.session.flush()
    op.audit("Quota", quota.id, "create", {"amount": [None, str(quota.amount)]})
    return quota
