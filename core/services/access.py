"""Users, roles and API keys of a workspace, managed through the API."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from rapport.core.auth import IssuedKey, issue_key
from rapport.core.credentials import announce_credentials_changed
from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.models import ApiKey, User
from rapport.core.permissions import RoleBook
from rapport.core.services.changes import apply_changes
from rapport.core.services.contact_points import normalize_contact
from rapport.core.services.operation import Operation

__all__ = ["create_api_key", "create_user", "revoke_api_key", "update_user"]


def _check_role(roles: RoleBook, role: str | None, field: str) -> list[FieldError]:
    if role is None or role in roles.roles:
        return []
    known = ", ".join(sorted(roles.roles))
    return [FieldError(field, CoreErrorCode.UNKNOWN_ROLE, f"unknown role {role!r}; roles: {known}")]


async def create_user(
    op: Operation, roles: RoleBook, *, email: str, display_name: str | None, role: str
) -> User:
    email = email.strip().lower()
    errors = _check_role(roles, role, "input.role")
    try:
        email = normalize_contact("email", email)
    except ValueError as bad:
        errors.append(FieldError("input.email", CoreErrorCode.EMAIL_INVALID, str(bad)))
    if errors:
        raise ValidationFailed(errors)
    taken = await op.session.execute(select(User.id).where(User.email == email))
    if taken.first() is not None:
        raise Conflict("input.email", f"a user with the email {email} exists already")
    user = User(
        workspace_id=op.workspace_id,
        email=email,
        display_name=(display_name or email.split("@")[0]).strip(),
        role=role,
    )
    op.session.add(user)
    await op.session.flush()
    op.audit("User", user.id, "create", {"email": [None, email], "role": [None, role]})
    return user


async def update_user(
    op: Operation,
    roles: RoleBook,
    user_id: uuid.UUID,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    display_name: str | None = None,
) -> User:
    user = await op.session.get(User, (op.workspace_id, user_id))
    if user is None:
        raise NotFound("id", "user")
    errors = _check_role(roles, role, "input.role")
    if user_id == op.actor.user_id and (is_active is False or (role and role != user.role)):
        errors.append(
            FieldError(
                "id", ErrorCode.FORBIDDEN, "you cannot deactivate yourself or change your own role"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    values = {"role": role, "is_active": is_active, "display_name": display_name}
    changes = apply_changes(user, {k: v for k, v in values.items() if v is not None})
    if changes:
        op.audit("User", user.id, "update", changes)
    if {"role", "is_active"} & changes.keys():
        await announce_credentials_changed(op.session, op.workspace_id)
    return user


async def create_api_key(
    op: Operation, roles: RoleBook, *, name: str, role: str | None, user_id: uuid.UUID | None
) -> IssuedKey:
    user = await op.session.get(User, (op.workspace_id, user_id or op.actor.user_id))
    if user is None or not user.is_active:
        raise NotFound("input.userId", "active user")
    errors = _check_role(roles, role, "input.role")
    if not name.strip():
        errors.append(FieldError("input.name", ErrorCode.REQUIRED, "a key needs a name"))
    if errors:
        raise ValidationFailed(errors)
    issued = await issue_key(op.session, user, role=role, name=name.strip())
    op.audit(
        "ApiKey",
        issued.record.id,
        "create",
        {"name": [None, issued.record.name], "role": [None, issued.record.role]},
    )
    return issued


async def revoke_api_key(op: Operation, key_id: uuid.UUID) -> ApiKey:
    key = await op.session.get(ApiKey, (op.workspace_id, key_id))
    if key is None or key.revoked_at is not None:
        raise NotFound("id", "active API key")
    key.revoked_at = utcnow()
    op.audit("ApiKey", key.id, "revoke")
    await announce_credentials_changed(op.session, op.workspace_id)
    return key
