"""The workspace's own settings over GraphQL: read by every user, changed by its admins."""

from __future__ import annotations

import strawberry

from rapport.core.models import Workspace as WorkspaceRow
from rapport.core.services import workspace_settings as service
from rapport.core.services.operation import Operation
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError
from rapport.schema.inputs import to_service_fields
from rapport.schema.mutations import mutate

__all__ = ["WorkspaceSettings", "WorkspaceSettingsMutations", "WorkspaceSettingsQueries"]


@strawberry.type(description="How this workspace's data is read and checked.")
class WorkspaceSettings:
    phone_region: str | None = strawberry.field(
        description=(
            "The region (ISO 3166, `GB`) phone numbers without +country code are read in; "
            "null: the deployment's default."
        )
    )
    effective_phone_region: str | None = strawberry.field(
        description="The region numbers are read in now: this workspace's, else the default."
    )


@strawberry.input(description="Settings to change; a field left out stays, null resets it.")
class UpdateWorkspaceSettingsInput:
    phone_region: str | None = strawberry.UNSET


@strawberry.type
class WorkspaceSettingsPayload:
    settings: WorkspaceSettings | None
    errors: list[UserError]


def _settings(info: Info, row: WorkspaceRow) -> WorkspaceSettings:
    default = context_of(info).settings.default_phone_region.strip().upper() or None
    return WorkspaceSettings(
        phone_region=row.phone_region, effective_phone_region=row.phone_region or default
    )


@strawberry.type
class WorkspaceSettingsQueries:
    @strawberry.field(description="This workspace's settings.")
    async def workspace_settings(self, info: Info) -> WorkspaceSettings:
        context = context_of(info)
        actor = context.require_actor()
        async with context.db() as session:
            row = await session.get(WorkspaceRow, actor.workspace_id)
        assert row is not None  # the caller's key names it
        return _settings(info, row)


@strawberry.type
class WorkspaceSettingsMutations:
    @strawberry.mutation(description="Change this workspace's settings.")
    async def update_workspace_settings(
        self, info: Info, input: UpdateWorkspaceSettingsInput
    ) -> WorkspaceSettingsPayload:
        fields = to_service_fields(input, service.WorkspaceSettingsFields)

        async def work(op: Operation) -> WorkspaceRow:
            return await service.update_workspace_settings(op, fields)

        row, errors = await mutate(info, "settings:write", work)
        return WorkspaceSettingsPayload(
            settings=_settings(info, row) if row is not None else None, errors=errors
        )
