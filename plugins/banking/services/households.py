"""Households: a named group of clients on top of core ``household_member`` relationships.

A household row names the group and its primary member; every other member is a core
relationship ``member -household_member-> primary``, so the timeline, relationship lists and
access rules of the core see the same membership the banking views do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Conflict, ErrorCode, NotFound, Operation, Relationship, ValidationFailed
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER, today
from rapport.plugins.banking.events import HouseholdCreated
from rapport.plugins.banking.models import Household
from rapport.plugins.banking.services.common import get_household, require_customer

__all__ = [
    "add_member",
    "create_household",
    "household_members",
    "households_of",
    "remove_member",
    "roll_up",
]


async def _membership(
    op: Operation, household: Household, customer_id: uuid.UUID
) -> Relationship | None:
    return (
        await op.session.execute(
            select(Relationship).where(
                Relationship.type_key == HOUSEHOLD_MEMBER,
                Relationship.from_customer_id == customer_id,
                Relationship.to_customer_id == household.primary_customer_id,
                Relationship.end_date.is_(None),
            )
        )
    ).scalar_one_or_none()


async def create_household(
    op: Operation, name: str, primary_customer_id: uuid.UUID, member_ids: Iterable[uuid.UUID] = ()
) -> Household:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed.one("input.name", "a household needs a name", ErrorCode.REQUIRED)
    await require_customer(op, primary_customer_id, "input.primaryMemberId")
    taken = (
        await op.session.execute(
            select(Household.id).where(Household.primary_customer_id == primary_customer_id)
        )
    ).first()
    if taken is not None:
        raise Conflict("input.primaryMemberId", "already the primary member of a household")
    household = Household(
        workspace_id=op.workspace_id, name=name, primary_customer_id=primary_customer_id
    )
    op.session.add(household)
    await op.session.flush()
    op.audit(
        "Household", household.id, "create", {"name": [None, name]}, customer_id=primary_customer_id
    )
    for index, member in enumerate(dict.fromkeys(member_ids)):
        if member != primary_customer_id:
            await _link(op, household, member, f"input.memberIds.{index}")
    await op.emit(HouseholdCreated(id=household.id))
    return household


async def _link(op: Operation, household: Household, customer_id: uuid.UUID, field: str) -> None:
    await require_customer(op, customer_id, field)
    if customer_id == household.primary_customer_id or await _membership(
        op, household, customer_id
    ):
        raise Conflict(field, "already a member of this household")
    edge = Relationship(
        workspace_id=op.workspace_id,
        type_key=HOUSEHOLD_MEMBER,
        from_customer_id=customer_id,
        to_customer_id=household.primary_customer_id,
        role="member",
        start_date=today(),
    )
    op.session.add(edge)
    await op.session.flush()
    op.audit(
        "Relationship",
        edge.id,
        "create",
        {"type": [None, HOUSEHOLD_MEMBER], "householdId": [None, str(household.id)]},
        customer_id=customer_id,
    )


async def add_member(op: Operation, household_id: uuid.UUID, customer_id: uuid.UUID) -> Household:
    household = await get_household(op, household_id, "householdId")
    await _link(op, household, customer_id, "customerId")
    return household


async def remove_member(
    op: Operation, household_id: uuid.UUID, customer_id: uuid.UUID
) -> Household:
    """End the membership (the relationship keeps its history with an end date)."""
    household = await get_household(op, household_id, "householdId")
    edge = await _membership(op, household, customer_id)
    if edge is None:
        raise NotFound("customerId", "household member")
    edge.end_date = today()
    await op.session.flush()
    op.audit(
        "Relationship",
        edge.id,
        "end",
        {"endDate": [None, edge.end_date.isoformat()]},
        customer_id=customer_id,
    )
    return household


async def household_members(
    session: AsyncSession, households: Iterable[Household]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Member customer ids of each household, its primary first."""
    by_primary = {h.primary_customer_id: h.id for h in households}
    members: dict[uuid.UUID, list[uuid.UUID]] = {h: [p] for p, h in by_primary.items()}
    if not by_primary:
        return members
    rows = await session.execute(
        select(Relationship.to_customer_id, Relationship.from_customer_id)
        .where(
            Relationship.type_key == HOUSEHOLD_MEMBER,
            Relationship.end_date.is_(None),
            Relationship.to_customer_id.in_(list(by_primary)),
        )
        .order_by(Relationship.created_at, Relationship.id)
    )
    for primary, member in rows.all():
        members[by_primary[primary]].append(member)
    return members


async def households_of(
    session: AsyncSession, customer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Household]:
    """The household each customer belongs to, as primary or as member."""
    wanted = list(customer_ids)
    found: dict[uuid.UUID, Household] = {}
    if not wanted:
        return found
    as_member = await session.execute(
        select(Relationship.from_customer_id, Household)
        .join(Household, Household.primary_customer_id == Relationship.to_customer_id)
        .where(
            Relationship.type_key == HOUSEHOLD_MEMBER,
            Relationship.end_date.is_(None),
            Relationship.from_customer_id.in_(wanted),
        )
        .order_by(Relationship.created_at.desc())
    )
    # The newest membership wins; being a household's primary member wins over any.
    for customer_id, household in as_member.all():
        found.setdefault(customer_id, household)
    as_primary = await session.execute(
        select(Household).where(Household.primary_customer_id.in_(wanted))
    )
    for household in as_primary.scalars():
        found[household.primary_customer_id] = household
    return found


def roll_up(assets: dict[uuid.UUID, Decimal], members: list[uuid.UUID]) -> Decimal:
    """The household's assets: the sum of its members' (each account counted once, by its
    primary holder)."""
    return sum((assets.get(m, Decimal("0")) for m in members), Decimal("0"))
