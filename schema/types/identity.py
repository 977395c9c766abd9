"""Users and the caller's own identity."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry import relay

from rapport.core.auth import IssuedKey
from rapport.core.models import ApiKey as ApiKeyRow
from rapport.core.models import User as UserRow
from rapport.core.models import Workspace as WorkspaceRow
from rapport.core.services import access
from rapport.core.services.operation import Operation
from rapport.schema.context import Info, context_of
from rapport.schema.entities import columns
from rapport.schema.errors import UserError
from rapport.schema.inputs import explicit_nulls, given, refuse_cleared
from rapport.schema.mutations import mutate
from rapport.schema.relay import Connection, ModelNode, SortKey, decode_node_id, paginate

__all__ = ["AccessMutations", "ApiKey", "IdentityQueries", "User"]


@strawberry.type(description="A person who uses this workspace.")
class User(ModelNode):
    __model__ = UserRow
    __permission__ = "users:read"
    __hide_deleted__ = False
    __columns__ = columns("email", "display_name", "role", "is_active", "created_at")

    id: relay.NodeID[str]
    email: str
    display_name: str
    role: str
    is_active: bool
    created_at: datetime


@strawberry.type(description="A bearer key; the secret itself is shown only when created.")
class ApiKey(ModelNode):
    __model__ = ApiKeyRow
    __permission__ = "access:manage"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    name: str
    prefix: str = strawberry.field(description="The first characters, to recognise a key by.")
    role: str
    created_at: datetime
    revoked_at: datetime | None
    user_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: ApiKeyRow) -> ApiKey:
        return cls(
            id=str(row.id),
            name=row.name,
            prefix=row.prefix,
            role=row.role,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            user_pk=row.user_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        rows = await User.load_rows(context_of(info), [self.user_pk])
        return User.from_model(rows[0]) if rows[0] else None


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

    @strawberry.field(description="The workspace's users.")
    async def users(
        self,
        info: Info,
        include_inactive: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        context = context_of(info)
        context.require("users:read")
        statement = select(UserRow)
        if not include_inactive:
            statement = statement.where(UserRow.is_active.is_(True))
        return await paginate(
            context,
            statement,
            keys=[SortKey(UserRow.email), SortKey(UserRow.id)],
            to_node=User.from_model,
            first=first,
            after=after,
        )

    @strawberry.field(description="API keys of the workspace, revoked ones last.")
    async def api_keys(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ApiKey]:
        context = context_of(info)
        context.require("access:manage")
        statement = select(ApiKeyRow)
        if not include_revoked:
            statement = statement.where(ApiKeyRow.revoked_at.is_(None))
        return await paginate(
            context,
            statement,
            keys=[SortKey(ApiKeyRow.created_at), SortKey(ApiKeyRow.id)],
            to_node=ApiKey.from_model,
            first=first,
            after=after,
        )


@strawberry.input
class UserInput:
    email: str
    role: str
    display_name: str | None = None


@strawberry.input(description="What to change; a field left out stays, and none takes a null.")
class UserChanges:
    role: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET
    display_name: str | None = strawberry.UNSET


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[UserError]


@strawberry.input
class ApiKeyInput:
    name: str
    role: str | None = strawberry.field(default=None, description="Defaults to the user's role.")
    user_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Defaults to the caller."
    )


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    key: str | None = strawberry.field(description="The secret; shown only here, once.")
    errors: list[UserError]


def _user_payload(result: tuple[UserRow | None, list[UserError]]) -> UserPayload:
    row, errors = result
    return UserPayload(user=User.from_model(row) if row else None, errors=errors)


@strawberry.type
class AccessMutations:
    @strawberry.mutation
    async def create_user(self, info: Info, input: UserInput) -> UserPayload:
        roles = context_of(info).runtime.roles

        async def work(op: Operation) -> UserRow:
            return await access.create_user(
                op, roles, email=input.email, display_name=input.display_name, role=input.role
            )

        return _user_payload(await mutate(info, "access:manage", work))

    @strawberry.mutation
    async def update_user(self, info: Info, id: relay.GlobalID, input: UserChanges) -> UserPayload:
        roles = context_of(info).runtime.roles

        async def work(op: Operation) -> UserRow:
            refuse_cleared(explicit_nulls(input))
            return await access.update_user(
                op,
                roles,
                decode_node_id(id, User, "id"),
                role=given(input.role),
                is_active=given(input.is_active),
                display_name=given(input.display_name),
            )

        return _user_payload(await mutate(info, "access:manage", work))

    @strawberry.mutation
    async def create_api_key(self, info: Info, input: ApiKeyInput) -> ApiKeyPayload:
        roles = context_of(info).runtime.roles

        async def work(op: Operation) -> IssuedKey:
            user_id = decode_node_id(input.user_id, User, "input.userId") if input.user_id else None
            return await access.create_api_key(
                op, roles, name=input.name, role=input.role, user_id=user_id
            )

        issued, errors = await mutate(info, "access:manage", work)
        if issued is None:
            return ApiKeyPayload(api_key=None, key=None, errors=errors)
        return ApiKeyPayload(api_key=ApiKey.from_model(issued.record), key=issued.key, errors=[])

    @strawberry.mutation(description="Stop a key working (within the key cache's 30 seconds).")
    async def revoke_api_key(self, info: Info, id: relay.GlobalID) -> ApiKeyPayload:
        async def work(op: Operation) -> ApiKeyRow:
            return await access.revoke_api_key(op, decode_node_id(id, ApiKey, "id"))

        row, errors = await mutate(info, "access:manage", work)
        return ApiKeyPayload(
            api_key=ApiKey.from_model(row) if row else None, key=None, errors=errors
        )
