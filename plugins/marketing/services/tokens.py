"""Signed unsubscribe tokens: which workspace and member a one-click link is for.

The token is ``<workspace hex>.<member hex>.<signature>``, the signature an HMAC-SHA256 of the
first two parts under the workspace's own random key (made on first use), so a link cannot
be forged for another member, and rotating a workspace's key voids its old links at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Operation
from rapport.plugins.marketing.models import MarketingSettings

__all__ = ["UnsubscribeToken", "marketing_settings", "parse_token", "sign_token", "verify_token"]


class UnsubscribeToken:
    def __init__(self, workspace_id: uuid.UUID, member_id: uuid.UUID, signature: str) -> None:
        self.workspace_id, self.member_id, self.signature = workspace_id, member_id, signature


async def marketing_settings(op: Operation) -> MarketingSettings:
    """The workspace's marketing settings row, created with a fresh signing key if missing."""
    found = await op.session.execute(select(MarketingSettings))
    row = found.scalar_one_or_none()
    if row is None:
        row = MarketingSettings(workspace_id=op.workspace_id, signing_key=secrets.token_hex(32))
        op.session.add(row)
        await op.session.flush()
    return row


def _signature(key: str, workspace_id: uuid.UUID, member_id: uuid.UUID) -> str:
    message = f"{workspace_id.hex}.{member_id.hex}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_token(key: str, workspace_id: uuid.UUID, member_id: uuid.UUID) -> str:
    return f"{workspace_id.hex}.{member_id.hex}.{_signature(key, workspace_id, member_id)}"


def parse_token(token: str) -> UnsubscribeToken | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        return UnsubscribeToken(uuid.UUID(hex=parts[0]), uuid.UUID(hex=parts[1]), parts[2])
    except ValueError:
        return None


async def verify_token(session: AsyncSession, token: str) -> UnsubscribeToken | None:
    """The token's workspace and member if its signature holds, read through ``session``
    (unscoped: the token names the workspace)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    found = await session.execute(
        select(MarketingSettings.signing_key).where(
            MarketingSettings.workspace_id == parsed.workspace_id
        )
    )
    key = found.scalar_one_or_none()
    if key is None:
        return None
    expected = _signature(key, parsed.workspace_id, parsed.member_id)
    return parsed if hmac.compare_digest(expected, parsed.signature) else None
