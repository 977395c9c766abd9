"""The audit log in GraphQL: who changed which fields of which record, when."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import strawberry
from sqlalchemy import select
from strawberry import relay

from rapport.core.models import AuditEntry as AuditRow
from rapport.schema.audit_changes import api_changes
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.relay import Connection, ModelNode, SortKey, paginate
from rapport.schema.scalars import JSON
from rapport.schema.types.customer import Customer
from rapport.schema.types.identity import User

__all__ = ["AuditEntry", "AuditQueries"]


@strawberry.type(description="One change to one record: the fields, from what, to what.")
class AuditEntry(ModelNode):
    __model__ = AuditRow
    __permission__ = "audit:read"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    entity_type: str
    entity_id: relay.GlobalID = strawberry.field(description="The changed record's global id.")
    action: str
    occurred_at: datetime
    changes: JSON = strawberry.field(
        description="{field: [old, new]} for each changed field, named as the schema names it, "
        "enum values and ids as the schema spells them (global ids). A merge also lists "
        "`mergedIds` and what it `moved` to the survivor ({type: [ids]})."
    )
    note: str | None
    actor_pk: strawberry.Private[uuid.UUID | None]
    customer_pk: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, row: AuditRow) -> AuditEntry:
        return cls(
            id=str(row.id),
            entity_type=row.entity_type,
            entity_id=relay.GlobalID(row.entity_type, str(row.entity_id)),
            action=row.action,
            occurred_at=row.occurred_at,
            changes=cast(JSON, api_changes(row.entity_type, dict(row.changes or {}))),
            note=row.note,
            actor_pk=row.actor_id,
            customer_pk=row.customer_id,
        )

    @strawberry.field(description="The user who made the change.")
    async def actor(self, info: Info) -> User | None:
        return await User.resolve_pk(info, self.actor_pk)

    @strawberry.field(description="The customer whose timeline shows the change.")
    async def customer(self, info: Info) -> Customer | None:
        return await Customer.resolve_pk(info, self.customer_pk)


def _row_id(value: relay.GlobalID, argument: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.node_id)
    except ValueError as exc:
        raise BadRequest(f"{argument}: not a record id") from exc


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Changes, newest first, to one record or one customer's.")
    async def audit_log(
        self,
        info: Info,
        entity_id: relay.GlobalID | None = None,
        customer_id: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        context = context_of(info)
        context.require("audit:read")
        statement: Any = select(AuditRow)
        if entity_id is not None:
            statement = statement.where(
                AuditRow.entity_type == entity_id.type_name,
                AuditRow.entity_id == _row_id(entity_id, "entityId"),
            )
        if customer_id is not None:
            statement = statement.where(AuditRow.customer_id == _row_id(customer_id, "customerId"))
        return await paginate(
            context,
            statement,
            keys=[SortKey(AuditRow.occurred_at, True), SortKey(AuditRow.id, True)],
            to_node=AuditEntry.from_model,
            first=first,
            after=after,
        )
