"""Customers in GraphQL: the type, its filter and ordering, queries and mutations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry import relay

from rapport.core.ages import AGE_BANDS, age_band_of, age_band_sql, age_of
from rapport.core.ages import ages_today as today
from rapport.core.errors import ValidationFailed
from rapport.core.models import Customer as CustomerRow
from rapport.core.services import customers as service
from rapport.schema.context import Info, context_of
from rapport.schema.declared import related
from rapport.schema.entities import Listing, Scope, ToOne, columns, reads
from rapport.schema.errors import UserError
from rapport.schema.filters import (
    Custom,
    DateFilter,
    DateTimeFilter,
    Filterable,
    FloatFilter,
    IDFilter,
    StringFilter,
    compile_filter,
    filter_input,
)
from rapport.schema.inputs import to_service_fields
from rapport.schema.loaders import run_select
from rapport.schema.mutations import mutate
from rapport.schema.relay import (
    Connection,
    ModelNode,
    OrderDirection,
    SortKey,
    decode_node_id,
    paginate,
)
from rapport.schema.scalars import JSON
from rapport.schema.types.customer_conditions import (
    AttributeFilter,
    InteractionCondition,
    RelationshipCondition,
    TagsFilter,
    attribute_condition,
    has_interaction,
    has_open_task,
    has_relationship,
    no_interaction_since,
    tags_condition,
)
from rapport.schema.types.identity import User

__all__ = ["AgeBand", "Customer", "CustomerMutations", "CustomerQueries"]


@strawberry.enum
class CustomerKind(Enum):
    PERSON = "person"
    ORGANIZATION = "organization"


@strawberry.enum
class LifecycleStatus(Enum):
    LEAD = "lead"
    PROSPECT = "prospect"
    ACTIVE = "active"
    DORMANT = "dormant"
    CHURNED = "churned"
    WON_BACK = "won_back"


def _band_name(key: str) -> str:
    return key.upper() if key[0].isalpha() else f"AGE_{key.upper()}"


# One member per band of rapport.core.ages: UNDER_18, AGE_18_24, ..., AGE_65_PLUS.
_AGE_BAND_MEMBERS = {_band_name(key): key for key, _low, _high in AGE_BANDS}
AgeBand: Any = strawberry.enum(
    cast(type[Enum], Enum("AgeBand", _AGE_BAND_MEMBERS)),
    description="Age ranges in whole years, as of today (UTC).",
)


OWNER = ToOne(lambda: User, lambda scope: scope.row.owner_id)
MERGED_INTO = ToOne(lambda: Customer, lambda scope: scope.row.merged_into_id)


@strawberry.type(description="A person or an organisation the workspace does business with.")
class Customer(ModelNode):
    __model__ = CustomerRow
    __permission__ = "customers:read"
    __columns__ = columns(
        "kind",
        "display_name",
        "first_name",
        "last_name",
        "organization_name",
        "lifecycle_status",
        "tags",
        "industry",
        "occupation",
        "birth_date",
        "region",
        "source_channel",
        "value_grade",
        "churn_risk",
        "notes",
        "attributes",
        "created_at",
        "updated_at",
        "deleted_at",
        "version",
    )

    id: relay.NodeID[str]
    kind: CustomerKind
    display_name: str
    first_name: str | None
    last_name: str | None
    organization_name: str | None
    lifecycle_status: LifecycleStatus
    tags: list[str]
    industry: str | None
    occupation: str | None
    birth_date: date | None
    region: str | None
    source_channel: str | None
    value_grade: str | None
    churn_risk: float | None
    notes: str | None
    attributes: JSON = strawberry.field(description="Custom field values by key.")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    version: int = strawberry.field(description="Pass back on update to detect lost updates.")
    row: strawberry.Private[Any]

    @property
    def pk(self) -> uuid.UUID:
        # The row's own id: resolvers ask for it once per field, parsing it each time adds up.
        return self.row.id if self.row is not None else uuid.UUID(self.id)

    @strawberry.field(description="Age in whole years today; null without a birth date.")
    def age(self) -> int | None:
        return age_of(self.birth_date, today()) if self.birth_date else None

    @strawberry.field
    def age_band(self) -> AgeBand | None:
        if self.birth_date is None:
            return None
        return AgeBand(age_band_of(age_of(self.birth_date, today())))

    owner: User | None = related(OWNER, description="The user responsible for this customer.")

    merged_into: Customer | None = related(
        MERGED_INTO, description="The customer this one was merged into, if it was."
    )


CUSTOMER_FILTERS: dict[str, Filterable] = {
    "display_name": Filterable(StringFilter, CustomerRow.display_name),
    "first_name": Filterable(StringFilter, CustomerRow.first_name),
    "last_name": Filterable(StringFilter, CustomerRow.last_name),
    "kind": Filterable(CustomerKind, Custom(lambda v: CustomerRow.kind == v.value)),
    "lifecycle_status": Filterable(
        list[LifecycleStatus],
        Custom(lambda v: CustomerRow.lifecycle_status.in_([s.value for s in v])),
    ),
    "industry": Filterable(StringFilter, CustomerRow.industry),
    "occupation": Filterable(StringFilter, CustomerRow.occupation),
    "region": Filterable(StringFilter, CustomerRow.region),
    "source_channel": Filterable(StringFilter, CustomerRow.source_channel),
    "value_grade": Filterable(StringFilter, CustomerRow.value_grade),
    "churn_risk": Filterable(FloatFilter, CustomerRow.churn_risk),
    "birth_date": Filterable(DateFilter, CustomerRow.birth_date),
    "created_at": Filterable(DateTimeFilter, CustomerRow.created_at),
    "updated_at": Filterable(DateTimeFilter, CustomerRow.updated_at),
    "owner": Filterable(IDFilter, CustomerRow.owner_id),
    "tags": Filterable(TagsFilter, Custom(tags_condition)),
    "attribute": Filterable(
        AttributeFilter, Custom(attribute_condition), "A condition on one custom field's value."
    ),
    "age_band": Filterable(
        list[AgeBand],
        Custom(
            lambda v: age_band_sql(CustomerRow.birth_date, today()).in_([band.value for band in v])
        ),
    ),
    "has_relationship": Filterable(RelationshipCondition, Custom(has_relationship)),
    "has_interaction": Filterable(InteractionCondition, Custom(has_interaction)),
    "no_interaction_since": Filterable(
        datetime, Custom(no_interaction_since), "No interaction at or after this moment."
    ),
    "has_open_task": Filterable(bool, Custom(has_open_task)),
}


@filter_input(
    CUSTOMER_FILTERS, description="Conditions on customers; all given conditions must hold."
)
class CustomerFilter: ...


@strawberry.enum
class CustomerOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    DISPLAY_NAME = "display_name"
    LIFECYCLE_STATUS = "lifecycle_status"


@strawberry.input
class CustomerOrder:
    field: CustomerOrderField
    direction: OrderDirection = OrderDirection.ASC


def customer_sort_keys(order_by: list[CustomerOrder] | None) -> list[SortKey]:
    keys = [
        SortKey(getattr(CustomerRow, item.field.value), item.direction == OrderDirection.DESC)
        for item in order_by or [CustomerOrder(field=CustomerOrderField.CREATED_AT)]
    ]
    return [*keys, SortKey(CustomerRow.id, keys[-1].descending if keys else False)]


def _customer_rows(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [compile_filter(scope.args.get("filter"), CUSTOMER_FILTERS)]
    if not scope.args.get("include_deleted"):
        conditions.append(CustomerRow.deleted_at.is_(None))
    return conditions


CUSTOMERS = Listing(
    target=lambda: Customer,
    where=_customer_rows,
    keys=lambda scope: customer_sort_keys(scope.args.get("order_by")),
)


def _customer_by_id(scope: Scope) -> Any:
    global_id = scope.args["id"]
    if global_id.type_name != "Customer":
        return None
    try:
        return uuid.UUID(global_id.node_id)
    except ValueError:
        return None


@strawberry.type
class CustomerQueries:
    @strawberry.field(
        metadata=reads(
            ToOne(
                lambda: Customer,
                _customer_by_id,
                shows_deleted=lambda scope: bool(scope.args.get("include_deleted")),
            )
        ),
        description="One customer by global id; deleted ones only when asked.",
    )
    async def customer(
        self, info: Info, id: relay.GlobalID, include_deleted: bool = False
    ) -> Customer | None:
        context = context_of(info)
        context.require("customers:read")
        pk = _customer_by_id(Scope(None, args={"id": id}))
        if pk is None:
            return None
        if not include_deleted:
            return await Customer.resolve_pk(info, pk)
        rows = await run_select(context, select(CustomerRow).where(CustomerRow.id == pk))
        return Customer.from_model(rows[0]) if rows else None

    @strawberry.field(
        metadata=reads(CUSTOMERS), description="Customers, filtered and ordered, a page at a time."
    )
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        order_by: list[CustomerOrder] | None = None,
        include_deleted: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Customer]:
        context = context_of(info)
        context.require("customers:read")
        scope = Scope(CustomerRow, args={"filter": filter, "include_deleted": include_deleted})
        return await paginate(
            context,
            select(CustomerRow).where(*CUSTOMERS.where(scope)),
            keys=customer_sort_keys(order_by),
            to_node=Customer.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
        )


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `kind`, `lifecycleStatus`, `tags` and `attributes`)."
)
class UpdateCustomerInput:
    kind: CustomerKind | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    organization_name: str | None = strawberry.UNSET
    lifecycle_status: LifecycleStatus | None = strawberry.UNSET
    owner_id: relay.GlobalID | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    occupation: str | None = strawberry.UNSET
    birth_date: date | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    source_channel: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Custom field values to set, merged into the customer's; a key given "
        "null removes that value, keys left out are kept.",
    )

    def to_fields(self, prefix: str = "input.") -> service.CustomerFields:
        if self.attributes and not isinstance(self.attributes, dict):
            raise ValidationFailed.one(f"{prefix}attributes", "expected an object of field values")
        return to_service_fields(
            self, service.CustomerFields, prefix=prefix, id_types={"owner_id": "User"}
        )


@strawberry.input(description="A new customer: `kind` is required, the rest optional.")
class CreateCustomerInput(UpdateCustomerInput):
    kind: CustomerKind
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Custom field values by key."
    )


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    errors: list[UserError]


def _payload(row: CustomerRow | None, errors: list[UserError]) -> CustomerPayload:
    return CustomerPayload(customer=Customer.from_model(row) if row else None, errors=errors)


@strawberry.type
class CustomerMutations:
    @strawberry.mutation
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerPayload:
        async def work(op: Any) -> CustomerRow:
            return await service.create_customer(op, input.to_fields())

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation(description="Change the given fields; pass `version` to detect conflicts.")
    async def update_customer(
        self,
        info: Info,
        id: relay.GlobalID,
        input: UpdateCustomerInput,
        version: int | None = None,
    ) -> CustomerPayload:
        async def work(op: Any) -> CustomerRow:
            customer_id = decode_node_id(id, Customer, "id")
            return await service.update_customer(
                op, customer_id, input.to_fields(), expected_version=version
            )

        return _payload(*await mutate(info, "customers:write", work))

    @strawberry.mutation(description="Soft delete: hidden from lists, restorable.")
    async def delete_customer(self, info: Info, id: relay.GlobalID) -> CustomerPayload:
        async def work(op: Any) -> CustomerRow:
            return await service.delete_customer(op, decode_node_id(id, Customer, "id"))

        return _payload(*await mutate(info, "customers:delete", work))

    @strawberry.mutation
    async def restore_customer(self, info: Info, id: relay.GlobalID) -> CustomerPayload:
        async def work(op: Any) -> CustomerRow:
            return await service.restore_customer(op, decode_node_id(id, Customer, "id"))

        return _payload(*await mutate(info, "customers:delete", work))
