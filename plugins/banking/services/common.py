"""Lookups every banking service shares: clients, managers, households by id."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from rapport.core import (
    ErrorCode,
    FieldError,
    NotFound,
    Operation,
    User,
    ValidationFailed,
    get_customer,
)
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.models import Household, RelationshipManager

__all__ = ["get_household", "get_manager", "require_client", "require_customer"]


async def require_customer(op: Operation, customer_id: uuid.UUID, field: str) -> None:
    """A live customer the actor may see, or NotFound on ``field``."""
    await get_customer(op, customer_id, field)


async def get_household(op: Operation, household_id: uuid.UUID, field: str) -> Household:
    household = await op.session.get(Household, (op.workspace_id, household_id))
    if household is None:
        raise NotFound(field, "household")
    return household


async def require_client(
    op: Operation, customer_id: uuid.UUID | None, household_id: uuid.UUID | None, prefix: str
) -> None:
    """Exactly one of a customer or a household, and one the actor can see."""
    if (customer_id is None) == (household_id is None):
        raise ValidationFailed.one(
            f"{prefix}customerId", "name either a customer or a household", ErrorCode.REQUIRED
        )
    if customer_id is not None:
        await require_customer(op, customer_id, f"{prefix}customerId")
    elif household_id is not None:
        await get_household(op, household_id, f"{prefix}householdId")


async def get_manager(op: Operation, user_id: uuid.UUID, field: str) -> RelationshipManager:
    """The banking profile of an active user; NotFound when the user has none."""
    user = await op.session.get(User, (op.workspace_id, user_id))
    profile = (
        await op.session.execute(
            select(RelationshipManager).where(RelationshipManager.user_id == user_id)
        )
    ).scalar_one_or_none()
    if user is None or profile is None:
        raise NotFound(field, "relationship manager")
    if not user.is_active or not profile.is_active:
        raise ValidationFailed(
            [FieldError(field, BankingErrorCode.MANAGER_INACTIVE, "manager is not active")]
        )
    return profile
