"""Webhook subscriptions in GraphQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from sqlalchemy import select
from strawberry import relay

from rapport.core import webhooks as service
from rapport.core.models import OutboxEvent
from rapport.core.models import Webhook as WebhookRow
from rapport.core.webhook_conditions import PayloadCondition
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError
from rapport.schema.mutations import mutate
from rapport.schema.relay import Connection, ModelNode, SortKey, decode_node_id, paginate
from rapport.schema.scalars import JSON

__all__ = ["Webhook", "WebhookDelivery", "WebhookMutations", "WebhookQueries"]


@strawberry.type(description="Only events whose payload has one of `in` at `path` are sent.")
class WebhookCondition:
    path: str = strawberry.field(description='A dotted path into the payload: "data.kind".')
    in_: list[str] = strawberry.field(
        name="in", description='The values wanted, as text: "call", "true", "null".'
    )


@strawberry.type(description="A subscription: matching events are POSTed, signed, to the URL.")
class Webhook(ModelNode):
    __model__ = WebhookRow
    __permission__ = "webhooks:manage"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    target_url: str
    event_types: list[str] = strawberry.field(description='Event names or patterns ("customer.*").')
    conditions: list[WebhookCondition] = strawberry.field(
        description="Conditions on the payload; every one must hold."
    )
    is_active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: WebhookRow) -> Webhook:
        stored = [PayloadCondition.from_json(item) for item in row.conditions or ()]
        return cls(
            id=str(row.id),
            target_url=row.target_url,
            event_types=list(row.event_types),
            conditions=[WebhookCondition(path=c.path, in_=list(c.values)) for c in stored],
            is_active=row.is_active,
            created_at=row.created_at,
        )


@strawberry.type(description="One event sent, or to be sent, to one webhook.")
class WebhookDelivery(ModelNode):
    __model__ = OutboxEvent
    __permission__ = "webhooks:manage"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    event_type: str
    payload: JSON = strawberry.field(description="The body as it is POSTed.")
    attempts: int = strawberry.field(description="Failed attempts so far.")
    gave_up: bool = strawberry.field(
        description="Retries are exhausted: only a replay sends it again."
    )
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    webhook_id: strawberry.Private[Any]

    @strawberry.field
    async def webhook(self, info: Info) -> Webhook | None:
        return await Webhook.resolve_pk(info, self.webhook_id)

    @classmethod
    def from_model(cls, row: OutboxEvent) -> WebhookDelivery:
        return cls(
            id=str(row.id),
            event_type=row.event_type,
            payload=cast(JSON, row.payload),
            attempts=row.attempts,
            gave_up=row.attempts >= service.MAX_ATTEMPTS,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            webhook_id=row.webhook_id,
        )


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Active webhook subscriptions.")
    async def webhooks(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Webhook]:
        context = context_of(info)
        context.require("webhooks:manage")
        return await paginate(
            context,
            select(WebhookRow).where(WebhookRow.is_active.is_(True)),
            keys=[SortKey(WebhookRow.created_at), SortKey(WebhookRow.id)],
            to_node=Webhook.from_model,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="Deliveries that failed at least once and were not made, oldest first."
    )
    async def failed_webhook_deliveries(
        self,
        info: Info,
        webhook: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        context = context_of(info)
        context.require("webhooks:manage")
        webhook_id = decode_node_id(webhook, Webhook, "webhook") if webhook else None
        return await paginate(
            context,
            service.failed_deliveries(webhook_id),
            keys=[SortKey(OutboxEvent.created_at), SortKey(OutboxEvent.id)],
            to_node=WebhookDelivery.from_model,
            first=first,
            after=after,
        )


@strawberry.input(description="Only events whose payload has one of `in` at `path` are sent.")
class WebhookConditionInput:
    path: str
    in_: list[str] = strawberry.field(name="in")


@strawberry.input
class WebhookInput:
    target_url: str
    event_types: list[str] = strawberry.field(default_factory=list)
    conditions: list[WebhookConditionInput] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    errors: list[UserError]


@strawberry.type
class WebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(
        description="The signing secret; shown only in the payload that created the webhook."
    )
    errors: list[UserError]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation
    async def create_webhook(self, info: Info, input: WebhookInput) -> WebhookPayload:
        async def work(op: Any) -> tuple[WebhookRow, str]:
            conditions = [PayloadCondition(c.path, tuple(c.in_)) for c in input.conditions]
            return await service.subscribe(op, input.target_url, input.event_types, conditions)

        result, errors = await mutate(info, "webhooks:manage", work)
        if result is None:
            return WebhookPayload(webhook=None, secret=None, errors=errors)
        row, secret = result
        return WebhookPayload(webhook=Webhook.from_model(row), secret=secret, errors=[])

    @strawberry.mutation
    async def delete_webhook(self, info: Info, id: relay.GlobalID) -> WebhookPayload:
        async def work(op: Any) -> WebhookRow:
            return await service.unsubscribe(op, decode_node_id(id, Webhook, "id"))

        row, errors = await mutate(info, "webhooks:manage", work)
        return WebhookPayload(
            webhook=Webhook.from_model(row) if row else None, secret=None, errors=errors
        )

    @strawberry.mutation(
        description="Send a failed delivery again at the worker's next round, with fresh retries."
    )
    async def replay_webhook_delivery(
        self, info: Info, id: relay.GlobalID
    ) -> WebhookDeliveryPayload:
        async def work(op: Any) -> OutboxEvent:
            return await service.replay(op, decode_node_id(id, WebhookDelivery, "id"))

        row, errors = await mutate(info, "webhooks:manage", work)
        return WebhookDeliveryPayload(
            delivery=WebhookDelivery.from_model(row) if row else None, errors=errors
        )
