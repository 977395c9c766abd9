"""Relationship manager profiles: the banking side of a core user.

Saving a profile creates it, or changes the fields given of the one the user has: a field left
out is kept, an explicit null clears it (refused for ``isActive``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from rapport.core import (
    ErrorCode,
    FieldError,
    FieldValues,
    Operation,
    User,
    ValidationFailed,
    apply_changes,
)
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.models import RelationshipManager

__all__ = ["ManagerProfile", "save_manager_profile"]


@dataclass
class ManagerProfile(FieldValues):
    api_names = {"team_lead_user_id": "teamLeadId"}

    user_id: uuid.UUID
    branch: str | None = None
    segment: str | None = None
    grade: str | None = None
    team_lead_user_id: uuid.UUID | None = None
    is_active: bool | None = None


async def save_manager_profile(
    op: Operation, data: ManagerProfile, prefix: str = "input."
) -> RelationshipManager:
    """Create the profile of a user, or change it when it exists."""
    errors: list[FieldError] = []
    if await op.session.get(User, (op.workspace_id, data.user_id)) is None:
        errors.append(FieldError(f"{prefix}userId", ErrorCode.NOT_FOUND, "user not found"))
    lead = data.team_lead_user_id
    if lead is not None:
        if lead == data.user_id:
            errors.append(
                FieldError(
                    f"{prefix}teamLeadId",
                    BankingErrorCode.SELF_LEAD,
                    "a manager cannot lead itself",
                )
            )
        elif await op.session.get(User, (op.workspace_id, lead)) is None:
            errors.append(
                FieldError(f"{prefix}teamLeadId", ErrorCode.NOT_FOUND, "team lead not found")
            )
    if errors:
        raise ValidationFailed(errors)
    profile = (
        await op.session.execute(
            select(RelationshipManager).where(RelationshipManager.user_id == data.user_id)
        )
    ).scalar_one_or_none()
    if profile is None:
        values = {"is_active": True} | data.given()
        profile = RelationshipManager(workspace_id=op.workspace_id, **values)
        op.session.add(profile)
        await op.session.flush()
        op.audit(
            "RelationshipManager",
            profile.id,
            "create",
            {k: [None, str(v)] for k, v in values.items()},
        )
        return profile
    changes = apply_changes(profile, data.patch(RelationshipManager, prefix))
    if changes:
        await op.session.flush()
        op.audit("RelationshipManager", profile.id, "update", changes)
    return profile
