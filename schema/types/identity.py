"""Users and the caller's own identity."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.core.models import User as UserRow
from rapport.core.models import Workspace as WorkspaceRow
from rapport.schema.context import context_of
from rapport.schema.relay import ModelNode

__all__ = ["IdentityQueries", "User"]


@strawberry.type(description="A person who uses this workspace.")
class User(ModelNode):
    __model__ = UserRow
    __permission__ = "customers:read"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    email: str
    display_name: str
    role: str
    is_active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: UserRow) -> User:
        return cls(
            id=str(row.id),
            email=row.email,
            display_name=row.display_name,
            role=row.role,
            is_active=row.is_active,
            created_at=row.created_at,
        )


@strawberry.type(description="Who is calling, in which workspace, allowed to do what.")
class Viewer:
    workspace_name: str
    user: User
    role: str
    permissions: list[str]


@strawberry.type
class IdentityQueries:
    @strawberry.field(description="The caller: user, workspace, role and permissions.")
    async def viewer(self, info: Info) -> Viewer:
        context = context_of(info)
        actor = context.require_actor()
        async with context.db() as session:
            user = await session.get(UserRow, (actor.workspace_id, actor.user_id))
            workspace = await session.get(WorkspaceRow, actor.workspace_id)
        assert user is not None
        assert workspace is not None
        return Viewer(
            workspace_name=workspace.name,
            user=User.from_model(user),
            role=actor.role,
            permissions=sorted(actor.permissions),
        )
