"""Interactions in GraphQL: the timeline's records, their list, mutations and customer fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import func, select
from strawberry import relay

from rapport.core.models import Interaction as InteractionRow
from rapport.core.models import InteractionParticipant as ParticipantRow
from rapport.core.services import interactions as service
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.declared import related
from rapport.schema.entities import ToMany, ToOne, columns, reads
from rapport.schema.errors import UserError
from rapport.schema.filters import (
    Custom,
    DateTimeFilter,
    Filterable,
    IDFilter,
    StringFilter,
    compile_filter,
    filter_input,
)
from rapport.schema.inputs import explicit_nulls, to_service_fields
from rapport.schema.links import LINK_FIELDS, link_condition, linked_record, resolve_link
from rapport.schema.loaders import grouped_loader, latest_per_key_loader, value_loader
from rapport.schema.mutations import mutate
from rapport.schema.relay import (
    Connection,
    ModelNode,
    OrderDirection,
    SortKey,
    decode_node_id,
    paginate,
)
from rapport.schema.types.customer import Customer
from rapport.schema.types.identity import User

__all__ = [
    "CustomerInteractionFields",
    "Interaction",
    "InteractionDirection",
    "InteractionKind",
    "InteractionMutations",
    "InteractionQueries",
]


@strawberry.enum
class InteractionDirection(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


@strawberry.type(description="Another customer or a user who took part in an interaction.")
class InteractionParticipant:
    role: str | None
    customer_pk: strawberry.Private[uuid.UUID | None]
    user_pk: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await Customer.resolve_pk(info, self.customer_pk)

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await User.resolve_pk(info, self.user_pk)


def _participants_loader(context: RequestContext) -> Any:
    return grouped_loader(
        context,
        lambda ids: (
            select(ParticipantRow)
            .where(ParticipantRow.interaction_id.in_(ids))
            .order_by(ParticipantRow.id)
        ),
        lambda row: row.interaction_id,
    )


INTERACTION_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
INTERACTION_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)


@strawberry.type(description="A call, email, meeting, note, visit, ... on a customer's timeline.")
class Interaction(ModelNode):
    __model__ = InteractionRow
    __permission__ = "interactions:read"
    __columns__ = columns(
        "kind",
        "channel",
        "direction",
        "occurred_at",
        "subject",
        "body",
        "outcome",
        "duration_seconds",
        "created_at",
        "updated_at",
    )

    id: relay.NodeID[str]
    kind: str = strawberry.field(description="An interaction kind key (see the plugins).")
    channel: str | None
    direction: InteractionDirection
    occurred_at: datetime
    subject: str | None
    body: str | None
    outcome: str | None
    duration_seconds: int | None
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[Any]

    customer: Customer | None = related(INTERACTION_CUSTOMER)

    user: User | None = related(INTERACTION_USER, description="The user who logged it.")

    @strawberry.field
    async def participants(self, info: Info) -> list[InteractionParticipant]:
        context = context_of(info)
        loader = context.loader_for(("interaction", "participants"), _participants_loader)
        rows: list[ParticipantRow] = await loader.load(uuid.UUID(self.id))
        return [
            InteractionParticipant(role=row.role, customer_pk=row.customer_id, user_pk=row.user_id)
            for row in rows
        ]

    @strawberry.field(description="The record this interaction is about, of any type.")
    async def linked_record(self, info: Info) -> relay.Node | None:
        return await linked_record(info, self.row.link_type, self.row.link_id)


INTERACTION_FILTERS: dict[str, Filterable] = {
    "customer": Filterable(IDFilter, InteractionRow.customer_id),
    "kind": Filterable(StringFilter, InteractionRow.kind),
    "channel": Filterable(StringFilter, InteractionRow.channel),
    "direction": Filterable(
        list[InteractionDirection],
        Custom(lambda v: InteractionRow.direction.in_([d.value for d in v])),
    ),
    "occurred_at": Filterable(DateTimeFilter, InteractionRow.occurred_at),
    "user": Filterable(IDFilter, InteractionRow.user_id),
    "linked_to": Filterable(
        relay.GlobalID,
        Custom(lambda v: link_condition(InteractionRow, v)),
        "Linked to this record (any type).",
    ),
}


@filter_input(
    INTERACTION_FILTERS, description="Conditions on interactions; all given conditions must hold."
)
class InteractionFilter: ...


@strawberry.enum
class InteractionOrderField(Enum):
    OCCURRED_AT = "occurred_at"
    CREATED_AT = "created_at"


@strawberry.input
class InteractionOrder:
    field: InteractionOrderField
    direction: OrderDirection = OrderDirection.DESC


def _sort_keys(order_by: list[InteractionOrder] | None) -> list[SortKey]:
    items = order_by or [InteractionOrder(field=InteractionOrderField.OCCURRED_AT)]
    keys = [
        SortKey(getattr(InteractionRow, item.field.value), item.direction == OrderDirection.DESC)
        for item in items
    ]
    return [*keys, SortKey(InteractionRow.id, keys[-1].descending)]


@strawberry.type(description="A kind of timeline entry: core's and the plugins' (a call, a visit).")
class InteractionKind:
    key: str = strawberry.field(description="What `Interaction.kind` holds and filters take.")
    label: str
    source: str = strawberry.field(description="The plugin that registered it, or `core`.")


@strawberry.type
class InteractionQueries:
    @strawberry.field(description="The interaction kinds this workspace may log, by key.")
    def interaction_kinds(self, info: Info) -> list[InteractionKind]:
        context = context_of(info)
        context.require("interactions:read")
        kinds = context.runtime.vocabulary.interaction_kinds
        return [
            InteractionKind(key=kind.key, label=kind.label, source=kind.plugin)
            for kind in sorted(kinds.values(), key=lambda kind: kind.key)
        ]

    @strawberry.field(description="Interactions, newest first unless ordered otherwise.")
    async def interactions(
        self,
        info: Info,
        filter: InteractionFilter | None = None,
        order_by: list[InteractionOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Interaction]:
        context = context_of(info)
        context.require("interactions:read")
        statement = select(InteractionRow).where(
            InteractionRow.deleted_at.is_(None), compile_filter(filter, INTERACTION_FILTERS)
        )
        return await paginate(
            context,
            statement,
            keys=_sort_keys(order_by),
            to_node=Interaction.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
        )


LIVE = InteractionRow.deleted_at.is_(None)


def _newest_first(row: Any) -> list[Any]:
    return [row.occurred_at.desc(), row.id.desc()]


def _recent_limit(last: int, settings: Any) -> int:
    return max(0, min(last, settings.max_page_size))


RECENT_INTERACTIONS = ToMany(
    target=lambda: Interaction,
    link=lambda scope: scope.row.customer_id == scope.parent_row.id,
    order=lambda scope: _newest_first(scope.row),
    where=lambda scope: [scope.row.deleted_at.is_(None)],
    limit=lambda scope: _recent_limit(scope.args.get("last", 5), scope.runtime.settings),
    permission="interactions:read",
)


@strawberry.type
class CustomerInteractionFields:
    @strawberry.field(description="When the latest interaction took place.")
    async def last_interaction_at(self: Customer, info: Info) -> datetime | None:
        context = context_of(info)
        context.require("interactions:read")
        loader = context.loader_for(
            ("customer", "last_interaction_at"),
            lambda ctx: value_loader(
                ctx,
                lambda ids: (
                    select(InteractionRow.customer_id, func.max(InteractionRow.occurred_at))
                    .where(InteractionRow.customer_id.in_(ids), LIVE)
                    .group_by(InteractionRow.customer_id)
                ),
            ),
        )
        value: datetime | None = await loader.load(self.pk)
        return value

    @strawberry.field(
        metadata=reads(RECENT_INTERACTIONS), description="The latest interactions, newest first."
    )
    async def recent_interactions(self: Customer, info: Info, last: int = 5) -> list[Interaction]:
        context = context_of(info)
        context.require("interactions:read")
        limit = _recent_limit(last, context.settings)
        loader = context.loader_for(
            ("customer", "recent_interactions", limit),
            lambda ctx: latest_per_key_loader(
                ctx,
                InteractionRow,
                "customer_id",
                _newest_first(InteractionRow),
                limit,
                LIVE,
            ),
        )
        rows: list[InteractionRow] = await loader.load(self.pk)
        return [Interaction.from_model(row) for row in rows]


@strawberry.input
class LogInteractionInput:
    customer_id: relay.GlobalID
    kind: str
    channel: str | None = None
    direction: InteractionDirection | None = None
    occurred_at: datetime | None = None
    subject: str | None = None
    body: str | None = None
    outcome: str | None = None
    duration_seconds: int | None = None
    link: relay.GlobalID | None = strawberry.field(
        default=None, description="The global id of any record this is about."
    )
    participant_customer_ids: list[relay.GlobalID] | None = None
    participant_user_ids: list[relay.GlobalID] | None = None


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `kind`, `direction`, `occurredAt` and the participant lists)."
)
class UpdateInteractionInput:
    kind: str | None = strawberry.UNSET
    channel: str | None = strawberry.UNSET
    direction: InteractionDirection | None = strawberry.UNSET
    occurred_at: datetime | None = strawberry.UNSET
    subject: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    outcome: str | None = strawberry.UNSET
    duration_seconds: int | None = strawberry.UNSET
    link: relay.GlobalID | None = strawberry.UNSET
    participant_customer_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the customers who took part (an empty list: none); omit to keep "
        "them.",
    )
    participant_user_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the users who took part (an empty list: none); omit to keep them.",
    )


async def _fields(
    info: Info, op: Any, given: LogInteractionInput | UpdateInteractionInput
) -> service.InteractionFields:
    fields = to_service_fields(
        given,
        service.InteractionFields,
        id_types={
            "customer_id": "Customer",
            "participant_customer_ids": "Customer",
            "participant_user_ids": "User",
        },
    )
    if given.link:
        fields.link_type, fields.link_id = await resolve_link(info, op, given.link, "input.link")
    if isinstance(given, UpdateInteractionInput):
        fields.cleared = explicit_nulls(given, LINK_FIELDS)
    return fields


@strawberry.type
class InteractionPayload:
    interaction: Interaction | None
    errors: list[UserError]


def _payload(row: InteractionRow | None, errors: list[UserError]) -> InteractionPayload:
    return InteractionPayload(
        interaction=Interaction.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class InteractionMutations:
    @strawberry.mutation(description="Record an interaction on a customer's timeline.")
    async def log_interaction(self, info: Info, input: LogInteractionInput) -> InteractionPayload:
        async def work(op: Any) -> InteractionRow:
            return await service.log_interaction(op, await _fields(info, op, input))

        return _payload(*await mutate(info, "interactions:write", work))

    @strawberry.mutation
    async def update_interaction(
        self, info: Info, id: relay.GlobalID, input: UpdateInteractionInput
    ) -> InteractionPayload:
        async def work(op: Any) -> InteractionRow:
            interaction_id = decode_node_id(id, Interaction, "id")
            return await service.update_interaction(
                op, interaction_id, await _fields(info, op, input)
            )

        return _payload(*await mutate(info, "interactions:write", work))

    @strawberry.mutation(description="Remove an interaction from the timeline; restorable.")
    async def delete_interaction(self, info: Info, id: relay.GlobalID) -> InteractionPayload:
        async def work(op: Any) -> InteractionRow:
            return await service.delete_interaction(op, decode_node_id(id, Interaction, "id"))

        return _payload(*await mutate(info, "interactions:write", work))

    @strawberry.mutation(description="Bring a deleted interaction back to the timeline.")
    async def restore_interaction(self, info: Info, id: relay.GlobalID) -> InteractionPayload:
        async def work(op: Any) -> InteractionRow:
            return await service.restore_interaction(op, decode_node_id(id, Interaction, "id"))

        return _payload(*await mutate(info, "interactions:write", work))
