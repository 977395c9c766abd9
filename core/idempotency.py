"""Idempotency keys: a write retried with the same key happens once.

The semantics are Stripe's, with one difference: a key is kept only once its request wrote
something. A request that changed nothing (refused input, a lost race, an outage) can run
again safely, so its key stays free.

1. ``claim`` records the key with the request's fingerprint before the request runs. A second
   request with the key finds the record: the same request is replayed (or told to wait while
   the first runs); another request under the same key is refused.
2. ``mark_applied`` runs inside each write's own transaction, so the record says ``applied``
   exactly when a write committed. It checks the claim is still this request's: a retry may
   take over the claim of a request that died before writing, and then the dead request's
   late write fails rather than doubling the retry's.
3. ``complete`` keeps the response of a request that wrote; ``release`` frees the key of one
   that did not.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.auth import Actor
from rapport.core.config import Settings
from rapport.core.db import utcnow, writing
from rapport.core.errors import Conflict
from rapport.core.models import IdempotencyRecord
from rapport.core.tenancy import tenant_session, unscoped_session

__all__ = [
    "MAX_KEY_LENGTH",
    "Claim",
    "Claimed",
    "InProgress",
    "Mismatch",
    "Replay",
    "WrittenWithoutResponse",
    "claim",
    "complete",
    "expire_idempotency_keys",
    "fingerprint",
    "mark_applied",
    "release",
]

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it."""

    workspace_id: uuid.UUID
    record_id: uuid.UUID
    claim: uuid.UUID


@dataclass(frozen=True)
class Replay:
    """The same request ran and wrote: send its response again."""

    status_code: int
    response: bytes


@dataclass(frozen=True)
class InProgress:
    """The same request is running now: retry shortly."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used for another request."""


@dataclass(frozen=True)
class WrittenWithoutResponse:
    """The same request wrote, but its process died before its response was kept."""


Claim = Claimed | Replay | InProgress | Mismatch | WrittenWithoutResponse


def fingerprint(request: dict[str, Any]) -> str:
    """What makes two requests the same: the document, its variables and operation."""
    parts = {name: request.get(name) for name in ("query", "variables", "operationName")}
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _caller(actor: Actor) -> uuid.UUID:
    return actor.key_id or actor.user_id


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    actor: Actor,
    key: str,
    request_fingerprint: str,
) -> Claim:
    now = utcnow()
    token = uuid.uuid4()
    async with writing(tenant_session(sessions, actor.workspace_id)) as session:
        found = (
            await session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.caller_id == _caller(actor), IdempotencyRecord.key == key
                )
            )
        ).scalar_one_or_none()
        if found is not None and found.expires_at <= now:
            await session.delete(found)
            await session.flush()
            found = None
        if found is None:
            record = IdempotencyRecord(
                caller_id=_caller(actor),
                key=key,
                fingerprint=request_fingerprint,
                claim=token,
                state="claimed",
                claimed_at=now,
                expires_at=now + timedelta(hours=settings.idempotency_hours),
            )
            try:
                async with session.begin_nested():
                    session.add(record)
            except IntegrityError:
                # Another request with the key claimed it a moment ago.
                return InProgress()
            return Claimed(actor.workspace_id, record.id, token)
        if found.fingerprint != request_fingerprint:
            return Mismatch()
        if found.state == "completed" and found.response is not None:
            return Replay(found.status_code or 200, found.response.encode("utf-8"))
        stale = found.claimed_at + timedelta(seconds=settings.idempotency_claim_seconds) <= now
        if not stale:
            return InProgress()  # written or not, its response is on its way
        if found.state == "applied":
            return WrittenWithoutResponse()
        # The claimer died before it wrote anything: this retry runs the request instead.
        found.claim, found.claimed_at = token, now
        return Claimed(actor.workspace_id, found.id, token)


async def mark_applied(session: AsyncSession, claimed: Claimed) -> None:
    """In a write's transaction: record that the request wrote, if the claim is still ours."""
    result = await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == claimed.record_id, IdempotencyRecord.claim == claimed.claim)
        .values(state="applied")
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise Conflict(
            None, "a retry with the same Idempotency-Key took this request over; nothing written"
        )


async def complete(
    sessions: async_sessionmaker[AsyncSession], claimed: Claimed, status_code: int, body: bytes
) -> None:
    """Keep the response of a request that wrote, for its retries to replay."""
    async with writing(tenant_session(sessions, claimed.workspace_id)) as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == claimed.record_id,
                IdempotencyRecord.claim == claimed.claim,
            )
            .values(state="completed", status_code=status_code, response=body.decode("utf-8"))
            .execution_options(synchronize_session=False)
        )


async def release(sessions: async_sessionmaker[AsyncSession], claimed: Claimed) -> None:
    """Free the key of a request that wrote nothing; a retry runs it afresh."""
    async with writing(tenant_session(sessions, claimed.workspace_id)) as session:
        await session.execute(
            delete(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == claimed.record_id,
                IdempotencyRecord.claim == claimed.claim,
                IdempotencyRecord.state == "claimed",
            )
            .execution_options(synchronize_session=False)
        )


async def expire_idempotency_keys(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Delete the keys past their retention, in every workspace."""
    async with writing(unscoped_session(sessions)) as session:
        result = await session.execute(
            delete(IdempotencyRecord)
            .where(IdempotencyRecord.expires_at <= utcnow())
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)
