"""A workspace's own settings, kept by its admins: how its data is read and checked.

Today that is the region phone numbers without ``+country code`` are read in. A workspace
that sets none follows the deployment's ``default_phone_region``, so one deployment can host
a British and an American workspace and each reads ``020 7946 0001`` as its people write it.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from rapport.core.errors import ErrorCode, ValidationFailed
from rapport.core.models import Workspace
from rapport.core.services.changes import apply_changes
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation

__all__ = ["WorkspaceSettingsFields", "update_workspace_settings", "workspace_of"]


@dataclass
class WorkspaceSettingsFields(FieldValues):
    phone_region: str | None = None


async def workspace_of(op: Operation) -> Workspace:
    """The operation's workspace row (from the session's identity map after the first read)."""
    workspace = await op.session.get(Workspace, op.workspace_id)
    if workspace is None:  # the key that authenticated this operation names it
        raise LookupError(f"workspace {op.workspace_id} is gone")
    return workspace


def _region(value: str, field: str) -> str:
    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed.one(
            field,
            f"{value!r} is not a region code phone numbers are known for (GB, US...)",
            ErrorCode.INVALID,
        )
    return region


async def update_workspace_settings(op: Operation, fields: WorkspaceSettingsFields) -> Workspace:
    """Change the settings given; an explicit null returns a setting to the deployment's."""
    workspace = await workspace_of(op)
    values = fields.patch(Workspace)
    if values.get("phone_region") is not None:
        values["phone_region"] = _region(values["phone_region"], "input.phoneRegion")
    changes = apply_changes(workspace, values)
    if changes:
        op.audit("workspace", workspace.id, "update", changes)
    return workspace
