"""Webhook subscriptions in GraphQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from rapport.core import webhooks as service
from rapport.core.models import Webhook as WebhookRow
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError
from rapport.schema.mutations import mutate
from rapport.schema.relay import Connection, ModelNode, SortKey, decode_node_id, paginate

__all__ = ["Webhook", "WebhookMutations", "WebhookQueries"]


@strawberry.type(description="A subscription: matching events are POSTed, signed, to the URL.")
class Webhook(ModelNode):
    __model__ = WebhookRow
    __permission__ = "webhooks:manage"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    target_url: str
    event_types: list[str] = strawberry.field(description='Event names or patterns ("customer.*").')
    is_active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: WebhookRow) -> Webhook:
        return cls(
            id=str(row.id),
            target_url=row.target_url,
            event_types=list(row.event_types),
            is_active=row.is_active,
            created_at=row.created_at,
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


@strawberry.input
class WebhookInput:
    target_url: str
    event_types: list[str] = strawberry.field(default_factory=list)


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
            return await service.subscribe(op, input.target_url, input.event_types)

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
