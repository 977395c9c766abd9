"""Webhooks: subscriptions, the transactional outbox, and signed delivery with retries.

An event is written to the outbox inside the transaction that made it, one row per matching
subscription, so a delivery exists exactly when the change committed. ``rapport worker``
delivers due rows (claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of
workers can run) and retries failures with exponential backoff.

Each request carries ``Rapport-Signature: t=<unix time>,v1=<hex>``, the HMAC-SHA256 of
``"<t>.<body>"`` under the subscription's secret, so receivers can check origin and freshness.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from rapport.core.events import DomainEvent
from rapport.core.models import OutboxEvent, Webhook
from rapport.core.services.operation import Operation
from rapport.core.tenancy import unscoped_session
from rapport.core.vocabulary import build_vocabulary
from rapport.core.webhook_conditions import PayloadCondition, condition_errors, matches_all
from rapport.core.webhook_targets import GuardedTransport, refused_target

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "deliver_due",
    "enqueue",
    "failed_deliveries",
    "prune_delivered",
    "replay",
    "sign",
    "subscribe",
    "unsubscribe",
]

MAX_ATTEMPTS = 8
BATCH = 100


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _matches(patterns: list[str], event_name: str) -> bool:
    return any(fnmatch.fnmatchcase(event_name, pattern) for pattern in patterns)


async def subscribe(
    op: Operation,
    target_url: str,
    event_types: list[str],
    conditions: Sequence[PayloadCondition] = (),
) -> tuple[Webhook, str]:
    """Create a subscription; the secret is returned here and never shown again."""
    errors = condition_errors(conditions, "input.conditions")
    parsed = urlparse(target_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        errors.append(
            FieldError(
                "input.targetUrl", CoreErrorCode.TARGET_URL_INVALID, "an http(s) URL is required"
            )
        )
    elif refused := await refused_target(target_url, op.host.settings.webhook_allowed_networks):
        errors.append(FieldError("input.targetUrl", CoreErrorCode.TARGET_REFUSED, refused))
    known = build_vocabulary(op.host).event_types
    patterns = list(dict.fromkeys(event_types)) or ["*"]
    for index, pattern in enumerate(patterns):
        if not any(fnmatch.fnmatchcase(name, pattern) for name in known):
            errors.append(
                FieldError(
                    f"input.eventTypes.{index}",
                    CoreErrorCode.UNKNOWN_EVENT_TYPE,
                    f"{pattern!r} matches no known event",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(
        workspace_id=op.workspace_id,
        target_url=target_url,
        secret=secret,
        event_types=patterns,
        conditions=[condition.as_json() for condition in conditions],
    )
    op.session.add(webhook)
    await op.session.flush()
    op.audit("Webhook", webhook.id, "create", {"targetUrl": [None, target_url]})
    return webhook, secret


async def unsubscribe(op: Operation, webhook_id: uuid.UUID) -> Webhook:
    webhook = await op.session.get(Webhook, (op.workspace_id, webhook_id))
    if webhook is None or not webhook.is_active:
        raise NotFound("id", "webhook")
    webhook.is_active = False
    op.audit("Webhook", webhook.id, "delete")
    return webhook


async def enqueue(event: DomainEvent, session: AsyncSession) -> None:
    """Queue ``event`` for every active subscription of its workspace that wants it."""
    hooks = (await session.execute(select(Webhook).where(Webhook.is_active.is_(True)))).scalars()
    payload = event.as_payload()
    for hook in hooks:
        if _matches(hook.event_types, event.name) and matches_all(hook.conditions, payload):
            session.add(
                OutboxEvent(
                    workspace_id=event.workspace_id,
                    webhook_id=hook.id,
                    event_type=event.name,
                    payload=payload,
                )
            )


def failed_deliveries(webhook_id: uuid.UUID | None = None) -> Any:
    """Deliveries not made that have failed at least once, given up on or still retrying."""
    statement = select(OutboxEvent).where(
        OutboxEvent.delivered_at.is_(None), OutboxEvent.attempts > 0
    )
    if webhook_id is not None:
        statement = statement.where(OutboxEvent.webhook_id == webhook_id)
    return statement


async def replay(op: Operation, delivery_id: uuid.UUID) -> OutboxEvent:
    """Send a failed delivery again at the worker's next round, with a fresh set of attempts."""
    row = await op.session.get(OutboxEvent, (op.workspace_id, delivery_id))
    if row is None:
        raise NotFound("id", "webhook delivery")
    if row.delivered_at is not None:
        raise Conflict("id", "this delivery was made; there is nothing to replay")
    row.attempts = 0
    row.next_attempt_at = utcnow()
    op.audit("OutboxEvent", row.id, "replay", {"lastError": [row.last_error, None]})
    return row


async def prune_delivered(sessions: Any, retention: timedelta) -> int:
    """Remove deliveries made longer than ``retention`` ago; what failed stays for replay."""
    async with unscoped_session(sessions) as session, session.begin():
        result = await session.execute(
            delete(OutboxEvent).where(
                OutboxEvent.delivered_at.is_not(None),
                OutboxEvent.delivered_at < utcnow() - retention,
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


async def deliver_due(
    sessions: Any,
    *,
    client: httpx.AsyncClient | None = None,
    request_seconds: float = 5.0,
    allowed_networks: Sequence[str] = (),
) -> DeliveryReport:
    """Deliver one batch of due outbox rows across all workspaces."""
    report = DeliveryReport()
    own_client = client is None
    http = client or httpx.AsyncClient(
        timeout=request_seconds, transport=GuardedTransport(allowed_networks)
    )
    try:
        async with unscoped_session(sessions) as session, session.begin():
            due = await session.execute(
                select(OutboxEvent, Webhook)
                .join(
                    Webhook,
                    (Webhook.workspace_id == OutboxEvent.workspace_id)
                    & (Webhook.id == OutboxEvent.webhook_id),
                )
                .where(
                    OutboxEvent.delivered_at.is_(None),
                    OutboxEvent.attempts < MAX_ATTEMPTS,
                    OutboxEvent.next_attempt_at <= utcnow(),
                    Webhook.is_active.is_(True),
                )
                .order_by(OutboxEvent.next_attempt_at)
                .limit(BATCH)
                .with_for_update(of=OutboxEvent, skip_locked=True)
            )
            for row, hook in due:
                if await _post(http, row, hook, allowed_networks):
                    row.delivered_at = utcnow()
                    report.delivered += 1
                else:
                    row.attempts += 1
                    row.next_attempt_at = utcnow() + _backoff(row.attempts)
                    report.failed += 1
    finally:
        if own_client:
            await http.aclose()
    return report


async def _post(
    http: httpx.AsyncClient, row: OutboxEvent, hook: Webhook, allowed_networks: Sequence[str]
) -> bool:
    refused = await refused_target(hook.target_url, allowed_networks)
    if refused is not None:
        row.last_error = f"not sent: {refused}"[:1000]
        return False
    body = orjson.dumps(row.payload)
    headers = {
        "Content-Type": "application/json",
        "Rapport-Event": row.event_type,
        "Rapport-Delivery": str(row.id),
        "Rapport-Signature": sign(hook.secret, int(time.time()), body),
    }
    try:
        response = await http.post(hook.target_url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        return False
    if 200 <= response.status_code < 300:
        row.last_error = None
        return True
    row.last_error = f"HTTP {response.status_code}"
    return False
