"""Relationship manager profiles: the banking side of a core user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from rapport.core import ErrorCode, FieldError, Operation, User, ValidationFailed
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.models import RelationshipManager

__all__ = ["ManagerProfile", "save_manager_profile"]


@dataclass
class ManagerProfile:
    user_id: uuid.UUID
    branch: str | None = None
    segment: str | None = None
    grade: str | None = None
    team_lead_user_id: uuid.UUID | None = None
    is_active: bool = True


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
    values = {
        "branch": data.branch,
        "segment": data.segment,
        "grade": data.grade,
        "team_lead_user_id": lead,
        "is_active": data.is_active,
    }
    if profile is None:
        profile = RelationshipManager(workspace_id=op.workspace_id, user_id=data.user_id, **values)
        op.session.add(profile)
        action = "create"
    else:
        for name, value in values.items():
            setattr(profile, name, value)
        action = "update"
    await op.session.flush()
    op.audit("RelationshipManager", profile.id, action, {k: str(v) for k, v in values.items()})
    return profile
