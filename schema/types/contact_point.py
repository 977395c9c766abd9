"""Contact points in GraphQL: the type, ``Customer.contactPoints`` and the mutations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry import relay

from rapport.core.models import ContactPoint as ContactPointRow
from rapport.core.services import contact_points as service
from rapport.core.services.customers import get_customer
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.entities import Scope, ToMany, columns, reads
from rapport.schema.errors import UserError
from rapport.schema.inputs import to_service_fields
from rapport.schema.loaders import grouped_loader
from rapport.schema.mutations import mutate
from rapport.schema.relay import ModelNode, decode_node_id
from rapport.schema.types.customer import Customer

__all__ = [
    "ContactPoint",
    "ContactPointMutations",
    "CustomerContactFields",
    "contact_points_of",
]


@strawberry.enum
class ContactPointKind(Enum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    SOCIAL = "social"
    WEBSITE = "website"


@strawberry.type(description="An email, phone, address, social handle or website of a customer.")
class ContactPoint(ModelNode):
    __model__ = ContactPointRow
    __permission__ = "customers:read"
    __hide_deleted__ = False
    __columns__ = columns(
        "kind",
        "label",
        "value",
        "normalized_value",
        "is_primary",
        "consent_marketing",
        "do_not_contact",
        "verified",
        "created_at",
        "updated_at",
    )

    id: relay.NodeID[str]
    kind: ContactPointKind
    label: str | None
    value: str
    normalized_value: str
    is_primary: bool
    consent_marketing: bool
    do_not_contact: bool
    verified: bool
    created_at: datetime
    updated_at: datetime


def _contact_point_order(row: Any) -> list[Any]:
    # Primary first, then in the order they were added.
    return [row.is_primary.desc(), row.created_at, row.id]


def _wanted_kinds(scope: Scope) -> list[ColumnElement[bool]]:
    kinds = scope.args.get("kinds")
    return [scope.row.kind.in_([kind.value for kind in kinds])] if kinds else []


CONTACT_POINTS = ToMany(
    target=lambda: ContactPoint,
    link=lambda scope: scope.row.customer_id == scope.parent_row.id,
    order=lambda scope: _contact_point_order(scope.row),
    where=_wanted_kinds,
)


def _contact_points_loader(context: RequestContext) -> Any:
    return grouped_loader(
        context,
        lambda ids: (
            select(ContactPointRow)
            .where(ContactPointRow.customer_id.in_(ids))
            .order_by(*_contact_point_order(ContactPointRow))
        ),
        lambda row: row.customer_id,
    )


async def contact_points_of(info: Info, customer_id: uuid.UUID) -> list[ContactPointRow]:
    context = context_of(info)
    context.require("customers:read")
    loader = context.loader_for(("customer", "contact_points"), _contact_points_loader)
    rows: list[ContactPointRow] = await loader.load(customer_id)
    return rows


async def _primary(info: Info, customer_id: uuid.UUID, kind: str) -> str | None:
    rows = await contact_points_of(info, customer_id)
    return next((row.value for row in rows if row.kind == kind and row.is_primary), None)


@strawberry.type
class CustomerContactFields:
    @strawberry.field(
        metadata=reads(CONTACT_POINTS),
        description="Contact points, the primary of each kind first.",
    )
    async def contact_points(
        self: Customer, info: Info, kinds: list[ContactPointKind] | None = None
    ) -> list[ContactPoint]:
        rows = await contact_points_of(info, self.pk)
        wanted = {kind.value for kind in kinds} if kinds else None
        return [
            ContactPoint.from_model(row) for row in rows if wanted is None or row.kind in wanted
        ]

    @strawberry.field(description="The primary email address, if one is marked primary.")
    async def primary_email(self: Customer, info: Info) -> str | None:
        return await _primary(info, self.pk, "email")

    @strawberry.field(description="The primary phone number, if one is marked primary.")
    async def primary_phone(self: Customer, info: Info) -> str | None:
        return await _primary(info, self.pk, "phone")


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for those a contact point needs)."
)
class UpdateContactPointInput:
    kind: ContactPointKind | None = strawberry.UNSET
    value: str | None = strawberry.UNSET
    label: str | None = strawberry.UNSET
    is_primary: bool | None = strawberry.UNSET
    consent_marketing: bool | None = strawberry.UNSET
    do_not_contact: bool | None = strawberry.UNSET
    verified: bool | None = strawberry.UNSET

    def to_fields(self) -> service.ContactPointFields:
        return to_service_fields(self, service.ContactPointFields)


@strawberry.input(description="A new contact point: its kind and value.")
class AddContactPointInput(UpdateContactPointInput):
    kind: ContactPointKind
    value: str


@strawberry.type
class ContactPointPayload:
    contact_point: ContactPoint | None
    errors: list[UserError]


def _payload(row: ContactPointRow | None, errors: list[UserError]) -> ContactPointPayload:
    return ContactPointPayload(
        contact_point=ContactPoint.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class ContactPointMutations:
    @strawberry.mutation(description="Add a contact point; a new primary replaces the old one.")
    async def add_contact_point(
        self, info: Info, customer_id: relay.GlobalID, input: AddContactPointInput
    ) -> ContactPointPayload:
        async def work(op: Any) -> ContactPointRow:
            customer = decode_node_id(customer_id, Customer, "customerId")
            # Checked here so the error names the argument, not a field of `input`.
            await get_customer(op, customer, "customerId")
            return await service.add_contact_point(op, customer, input.to_fields())

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation
    async def update_contact_point(
        self, info: Info, id: relay.GlobalID, input: UpdateContactPointInput
    ) -> ContactPointPayload:
        async def work(op: Any) -> ContactPointRow:
            point_id = decode_node_id(id, ContactPoint, "id")
            return await service.update_contact_point(op, point_id, input.to_fields())

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation
    async def remove_contact_point(self, info: Info, id: relay.GlobalID) -> ContactPointPayload:
        async def work(op: Any) -> ContactPointRow:
            return await service.remove_contact_point(op, decode_node_id(id, ContactPoint, "id"))

        return _payload(*await mutate(info, "customers:write", work))
