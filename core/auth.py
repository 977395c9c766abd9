"""API keys and the actor they authenticate."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.models import ApiKey, User, Workspace
from rapport.core.permissions import PermissionDenied, RoleBook
from rapport.core.tenancy import tenant_session, unscoped_session

__all__ = [
    "Actor",
    "IssuedKey",
    "KeyCheck",
    "authenticate",
    "check_key",
    "credentials_epoch",
    "find_workspace",
    "hash_key",
    "issue_key",
]

KEY_PREFIX = "rpk_"


@dataclass(frozen=True)
class Actor:
    """Who is calling: a user of one workspace, acting with one role."""

    workspace_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    permissions: frozenset[str]
    key_id: uuid.UUID | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(permission)


@dataclass(frozen=True)
class IssuedKey:
    key: str
    record: ApiKey


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def issue_key(
    session: AsyncSession, user: User, *, role: str | None = None, name: str = "default"
) -> IssuedKey:
    """Create a key for ``user``; the raw key exists only in the returned value."""
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_PREFIX}{secret}"
    record = ApiKey(
        workspace_id=user.workspace_id,
        user_id=user.id,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(raw),
        role=role or user.role,
    )
    session.add(record)
    await session.flush()
    return IssuedKey(raw, record)


@dataclass(frozen=True)
class KeyCheck:
    """The actor of a key (None: unknown, revoked or inactive) and the credentials epoch of its
    workspace read before the actor was, so a cached actor is stale once the epoch moves on."""

    actor: Actor | None
    credentials_epoch: int = 0


async def check_key(
    factory: async_sessionmaker[AsyncSession], raw_key: str, roles: RoleBook
) -> KeyCheck:
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 200:
        return KeyCheck(None)
    async with unscoped_session(factory) as session:
        found = (
            await session.execute(
                select(ApiKey.workspace_id, ApiKey.id, ApiKey.user_id, ApiKey.role)
                .add_columns(Workspace.credentials_epoch)
                .join(Workspace, Workspace.id == ApiKey.workspace_id)
                .where(ApiKey.key_hash == hash_key(raw_key), ApiKey.revoked_at.is_(None))
                .limit(1)
            )
        ).first()
    if found is None:
        return KeyCheck(None)
    workspace_id, key_id, user_id, role, epoch = found
    async with tenant_session(factory, workspace_id) as session:
        user = await session.get(User, (workspace_id, user_id))
        if user is None or not user.is_active:
            return KeyCheck(None, epoch)
    return KeyCheck(Actor(workspace_id, user_id, role, roles.permissions_of(role), key_id), epoch)


async def authenticate(
    factory: async_sessionmaker[AsyncSession], raw_key: str, roles: RoleBook
) -> Actor | None:
    """The actor for a bearer key, or None when the key is unknown, revoked or inactive."""
    return (await check_key(factory, raw_key, roles)).actor


async def credentials_epoch(
    factory: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID
) -> int | None:
    async with unscoped_session(factory) as session:
        found: int | None = await session.scalar(
            select(Workspace.credentials_epoch).where(Workspace.id == workspace_id)
        )
    return found


async def find_workspace(session: AsyncSession, name: str) -> Workspace | None:
    return (
        await session.execute(select(Workspace).where(Workspace.name == name))
    ).scalar_one_or_none()
