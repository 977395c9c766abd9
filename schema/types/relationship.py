"""Relationships in GraphQL: types, edges, ``Customer.relationships`` and the mutations."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, case, func, null, or_, select
from sqlalchemy.orm import aliased
from strawberry import relay
from strawberry.dataloader import DataLoader

from rapport.core.models import Customer as CustomerRow
from rapport.core.models import Relationship as RelationshipRow
from rapport.core.models import RelationshipTypeRow
from rapport.core.services import relationships as service
from rapport.core.vocabulary import RelationshipType as RegisteredType
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.entities import Entity, Scope, ToMany, ToOne, columns, reads
from rapport.schema.errors import UserError
from rapport.schema.inputs import to_service_fields
from rapport.schema.mutations import mutate
from rapport.schema.relay import ModelNode, decode_node_id
from rapport.schema.types.customer import Customer
from rapport.schema.types.customer_conditions import RelationshipDirection

__all__ = [
    "CustomerRelationshipFields",
    "Relationship",
    "RelationshipMutations",
    "RelationshipQueries",
    "relationship_types_of",
]


@strawberry.type(description="A kind of relationship, read from either end.")
class RelationshipType:
    key: str
    label: str = strawberry.field(description="Read from the `from` side: employee of.")
    inverse_label: str = strawberry.field(description="Read from the `to` side: employer of.")
    symmetric: bool
    source: str = strawberry.field(description="The plugin that registered it, or `workspace`.")

    @classmethod
    def from_registered(cls, item: RegisteredType) -> RelationshipType:
        return cls(
            key=item.key,
            label=item.label,
            inverse_label=item.inverse_label,
            symmetric=item.symmetric,
            source=item.plugin,
        )


def _types_loader(context: RequestContext) -> DataLoader[str, dict[str, RegisteredType]]:
    async def load(keys: Any) -> list[dict[str, RegisteredType]]:
        async with context.db() as session:
            found = await service.relationship_types(session, context.runtime.host)
        return [found for _ in keys]

    return DataLoader(load_fn=load)


async def relationship_types_of(info: Info) -> dict[str, RegisteredType]:
    """The workspace's types, read once per request however many edges ask."""
    context = context_of(info)
    loader = context.loader_for(("relationship", "types"), _types_loader)
    types: dict[str, RegisteredType] = await loader.load("all")
    return types


@strawberry.type(description="A typed, directed edge from one customer to another.")
class Relationship(ModelNode):
    __model__ = RelationshipRow
    __permission__ = "customers:read"
    __hide_deleted__ = False
    __columns__ = columns("role", "start_date", "end_date", "notes", "created_at", type="type_key")

    id: relay.NodeID[str]
    type: str = strawberry.field(description="The relationship type's key.")
    role: str | None
    start_date: date | None
    end_date: date | None
    notes: str | None
    created_at: datetime
    from_pk: strawberry.Private[uuid.UUID]
    to_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: RelationshipRow) -> Relationship:
        return cls(
            id=str(row.id),
            type=row.type_key,
            role=row.role,
            start_date=row.start_date,
            end_date=row.end_date,
            notes=row.notes,
            created_at=row.created_at,
            from_pk=row.from_customer_id,
            to_pk=row.to_customer_id,
        )

    @strawberry.field(
        metadata=reads(ToOne(lambda: Customer, lambda scope: scope.row.from_customer_id)),
        name="from",
    )
    async def from_(self, info: Info) -> Customer | None:
        return await Customer.resolve_pk(info, self.from_pk)

    @strawberry.field(
        metadata=reads(ToOne(lambda: Customer, lambda scope: scope.row.to_customer_id))
    )
    async def to(self, info: Info) -> Customer | None:
        return await Customer.resolve_pk(info, self.to_pk)


def _outgoing(scope: Scope) -> ColumnElement[bool]:
    """The edge starts at the customer it is seen from."""
    return scope.row.from_customer_id == scope.parent_row.id


def _other_end(scope: Scope) -> ColumnElement[Any]:
    return case((_outgoing(scope), scope.row.to_customer_id), else_=scope.row.from_customer_id)


def _label(scope: Scope) -> ColumnElement[Any]:
    """The type's label from this side: the plugins' types first, then the workspace's own."""
    registered = scope.runtime.vocabulary.relationship_types
    key, outgoing = scope.row.type_key, _outgoing(scope)
    plugin_label = (
        case(
            *[
                (key == type_key, case((outgoing, item.label), else_=item.inverse_label))
                for type_key, item in registered.items()
            ],
            else_=null(),
        )
        if registered
        else null()
    )
    own = aliased(RelationshipTypeRow)
    own_label = (
        select(case((outgoing, own.label), else_=own.inverse_label))
        .where(own.key == key)
        .correlate_except(own)
        .scalar_subquery()
    )
    # A type whose plugin was switched off shows its key rather than hiding the edge.
    return func.coalesce(plugin_label, own_label, key)


@strawberry.type(description="A relationship seen from one of its customers.")
class CustomerRelationship:
    __entity__ = Entity(
        model=RelationshipRow,
        permission="customers:read",
        fields=columns(
            "role",
            "start_date",
            "end_date",
            type="type_key",
            label=_label,
            direction=lambda scope: case((_outgoing(scope), "outgoing"), else_="incoming"),
        ),
    )

    relationship: Relationship = strawberry.field(
        metadata=reads(ToOne(lambda: Relationship, lambda scope: scope.row.id))
    )
    direction: RelationshipDirection = strawberry.field(
        description="OUTGOING when this customer is the `from` end."
    )
    type: str
    label: str = strawberry.field(description="From this customer's side: employer of.")
    role: str | None
    start_date: date | None
    end_date: date | None
    other_pk: strawberry.Private[uuid.UUID]

    @strawberry.field(
        metadata=reads(ToOne(lambda: Customer, _other_end)),
        description="The customer at the other end.",
    )
    async def other(self, info: Info) -> Customer | None:
        return await Customer.resolve_pk(info, self.other_pk)


def _relationships_loader(context: RequestContext) -> Any:
    # Each edge is filed under both of its ends; one query serves both directions.
    live = select(CustomerRow.id).where(CustomerRow.deleted_at.is_(None))

    def statement_for(ids: list[Any]) -> Any:
        return (
            select(RelationshipRow)
            .where(
                or_(
                    RelationshipRow.from_customer_id.in_(ids),
                    RelationshipRow.to_customer_id.in_(ids),
                )
            )
            # An edge is shown only while the customer at its other end is live and visible.
            .where(
                RelationshipRow.from_customer_id.in_(live),
                RelationshipRow.to_customer_id.in_(live),
            )
            .order_by(RelationshipRow.created_at, RelationshipRow.id)
        )

    async def load(ids: Any) -> list[list[RelationshipRow]]:
        async with context.db() as session:
            rows = list((await session.execute(statement_for(list(ids)))).scalars())
        wanted = set(ids)
        by_customer: dict[uuid.UUID, list[RelationshipRow]] = {i: [] for i in wanted}
        for row in rows:
            for end in {row.from_customer_id, row.to_customer_id} & wanted:
                by_customer[end].append(row)
        return [by_customer[i] for i in ids]

    return DataLoader(load_fn=load)


def _seen_from(
    row: RelationshipRow, customer_id: uuid.UUID, types: dict[str, RegisteredType]
) -> CustomerRelationship:
    outgoing = row.from_customer_id == customer_id
    registered = types.get(row.type_key)
    if registered is None:
        # A type whose plugin was switched off: show the key rather than hide the edge.
        label = row.type_key
    else:
        label = registered.label if outgoing else registered.inverse_label
    return CustomerRelationship(
        relationship=Relationship.from_model(row),
        direction=RelationshipDirection.OUTGOING if outgoing else RelationshipDirection.INCOMING,
        type=row.type_key,
        label=label,
        role=row.role,
        start_date=row.start_date,
        end_date=row.end_date,
        other_pk=row.to_customer_id if outgoing else row.from_customer_id,
    )


def _live(customer_id: Any) -> ColumnElement[bool]:
    """An edge is shown only while the customers at both ends are live and visible."""
    end = aliased(CustomerRow)
    found = select(end.id).where(end.id == customer_id, end.deleted_at.is_(None))
    return found.correlate_except(end).exists()


def _relationship_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    row = scope.row
    # The parent is one end, and it was read through the same rules: only its soft delete is
    # left to check; the other end is looked up.
    conditions = [scope.parent_row.deleted_at.is_(None), _live(_other_end(scope))]
    direction = scope.args.get("direction", RelationshipDirection.BOTH)
    if direction == RelationshipDirection.OUTGOING:
        conditions.append(_outgoing(scope))
    elif direction == RelationshipDirection.INCOMING:
        conditions.append(~_outgoing(scope))
    types = scope.args.get("types")
    if types is not None:
        conditions.append(row.type_key.in_(types))
    return conditions


RELATIONSHIPS = ToMany(
    target=lambda: CustomerRelationship,
    row=lambda: CustomerRelationship.__entity__,
    link=lambda scope: or_(
        scope.row.from_customer_id == scope.parent_row.id,
        scope.row.to_customer_id == scope.parent_row.id,
    ),
    where=_relationship_conditions,
    order=lambda scope: [scope.row.created_at, scope.row.id],
    permission="customers:read",
)


@strawberry.type
class CustomerRelationshipFields:
    @strawberry.field(
        metadata=reads(RELATIONSHIPS),
        description="Relationships of this customer, labelled from its side.",
    )
    async def relationships(
        self: Customer,
        info: Info,
        direction: RelationshipDirection = RelationshipDirection.BOTH,
        types: list[str] | None = None,
    ) -> list[CustomerRelationship]:
        context = context_of(info)
        context.require("customers:read")
        loader = context.loader_for(("customer", "relationships"), _relationships_loader)
        # Ask for both at once: the two batches are dispatched together, not one after the other.
        rows, registered = await asyncio.gather(loader.load(self.pk), relationship_types_of(info))
        edges = [_seen_from(row, self.pk, registered) for row in rows]
        return [
            edge
            for edge in edges
            if (direction == RelationshipDirection.BOTH or edge.direction == direction)
            and (types is None or edge.type in types)
        ]


@strawberry.type
class RelationshipQueries:
    @strawberry.field(description="Relationship types: the plugins' and the workspace's own.")
    async def relationship_types(self, info: Info) -> list[RelationshipType]:
        context_of(info).require("customers:read")
        types = await relationship_types_of(info)
        return [RelationshipType.from_registered(item) for item in types.values()]


@strawberry.input
class RelationshipTypeInput:
    key: str
    label: str
    inverse_label: str | None = None
    symmetric: bool = False


@strawberry.type
class RelationshipTypePayload:
    relationship_type: RelationshipType | None
    errors: list[UserError]


@strawberry.input
class CreateRelationshipInput:
    type: str
    from_id: relay.GlobalID
    to_id: relay.GlobalID
    role: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    notes: str | None = None


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `type`)."
)
class UpdateRelationshipInput:
    type: str | None = strawberry.UNSET
    role: str | None = strawberry.UNSET
    start_date: date | None = strawberry.UNSET
    end_date: date | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.type
class RelationshipPayload:
    relationship: Relationship | None
    errors: list[UserError]


def _payload(row: RelationshipRow | None, errors: list[UserError]) -> RelationshipPayload:
    return RelationshipPayload(
        relationship=Relationship.from_model(row) if row else None, errors=errors
    )


def _type_payload(row: Any, errors: list[UserError]) -> RelationshipTypePayload:
    defined = None
    if row is not None:
        defined = RelationshipType(
            key=row.key,
            label=row.label,
            inverse_label=row.inverse_label,
            symmetric=row.symmetric,
            source=service.WORKSPACE_PLUGIN,
        )
    return RelationshipTypePayload(relationship_type=defined, errors=errors)


@strawberry.type
class RelationshipMutations:
    @strawberry.mutation(description="Add a relationship type of this workspace's own.")
    async def define_relationship_type(
        self, info: Info, input: RelationshipTypeInput
    ) -> RelationshipTypePayload:
        async def work(op: Any) -> Any:
            return await service.define_relationship_type(
                op,
                key=input.key,
                label=input.label,
                inverse_label=input.inverse_label,
                symmetric=input.symmetric,
            )

        return _type_payload(*await mutate(info, "settings:write", work))

    @strawberry.mutation(description="Remove a type of this workspace's own that is not in use.")
    async def delete_relationship_type(self, info: Info, key: str) -> RelationshipTypePayload:
        async def work(op: Any) -> Any:
            return await service.remove_relationship_type(op, key)

        return _type_payload(*await mutate(info, "settings:write", work))

    @strawberry.mutation
    async def create_relationship(
        self, info: Info, input: CreateRelationshipInput
    ) -> RelationshipPayload:
        async def work(op: Any) -> RelationshipRow:
            fields = service.RelationshipFields(
                type_key=input.type,
                from_customer_id=decode_node_id(input.from_id, Customer, "input.fromId"),
                to_customer_id=decode_node_id(input.to_id, Customer, "input.toId"),
                role=input.role,
                start_date=input.start_date,
                end_date=input.end_date,
                notes=input.notes,
            )
            return await service.create_relationship(op, fields)

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation
    async def update_relationship(
        self, info: Info, id: relay.GlobalID, input: UpdateRelationshipInput
    ) -> RelationshipPayload:
        async def work(op: Any) -> RelationshipRow:
            fields = to_service_fields(
                input, service.RelationshipFields, sources={"type_key": "type"}
            )
            return await service.update_relationship(
                op, decode_node_id(id, Relationship, "id"), fields
            )

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation
    async def delete_relationship(self, info: Info, id: relay.GlobalID) -> RelationshipPayload:
        async def work(op: Any) -> RelationshipRow:
            return await service.delete_relationship(op, decode_node_id(id, Relationship, "id"))

        return _payload(*await mutate(info, "customers:write", work))
