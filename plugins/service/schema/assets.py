"""Installed products (assets) in GraphQL."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import Asset as AssetRow
from rapport.plugins.service.schema.common import READ, WRITE
from rapport.plugins.service.services import assets as service
from rapport.schema import (
    BooleanFilter,
    Connection,
    Custom,
    Customer,
    DateFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToOne,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    order_input,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = ["ASSETS", "ASSET_FILTERS", "Asset", "AssetFilter", "AssetMutations", "AssetOrder"]


@strawberry.enum
class AssetStatus(Enum):
    ACTIVE = "ACTIVE"
    IN_REPAIR = "IN_REPAIR"
    RETIRED = "RETIRED"


ASSET_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)


@strawberry.type(description="A product installed at a customer's, with its warranty.")
class Asset(ModelNode):
    __model__ = AssetRow
    __permission__ = READ
    __columns__ = columns(
        "product",
        "serial_number",
        "installed_at",
        "location",
        "warranty_start",
        "warranty_end",
        "covers_parts",
        "covers_labour",
        "status",
        "created_at",
        customer_id=Reference("Customer", "customer_id"),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    product: str
    serial_number: str
    installed_at: date | None
    location: str | None
    warranty_start: date | None
    warranty_end: date | None
    covers_parts: bool = strawberry.field(description="The warranty pays for parts.")
    covers_labour: bool = strawberry.field(description="The warranty pays for labour.")
    status: AssetStatus
    created_at: datetime
    row: strawberry.Private[AssetRow]

    customer: Customer | None = related(ASSET_CUSTOMER, description="Who has it.")


ASSET_FILTERS = {
    "customer": Filterable(IDFilter, AssetRow.customer_id),
    "product": Filterable(StringFilter, AssetRow.product),
    "serial_number": Filterable(StringFilter, AssetRow.serial_number),
    "status": Filterable(
        list[AssetStatus], Custom(lambda v: AssetRow.status.in_([s.value for s in v]))
    ),
    "warranty_end": Filterable(DateFilter, AssetRow.warranty_end),
    "covers_parts": Filterable(BooleanFilter, AssetRow.covers_parts),
}


@filter_input(ASSET_FILTERS, description="Conditions on assets; all given conditions must hold.")
class AssetFilter: ...


@order_input({"PRODUCT": "product", "INSTALLED_AT": "installed_at", "WARRANTY_END": "warranty_end"})
class AssetOrder: ...


ASSETS = filtered_listing(lambda: Asset, ASSET_FILTERS, [("product", OrderDirection.ASC)])


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for those an asset needs). An asset stays with its customer."
)
class UpdateAssetInput:
    product: str | None = strawberry.UNSET
    serial_number: str | None = strawberry.UNSET
    installed_at: date | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    warranty_start: date | None = strawberry.UNSET
    warranty_end: date | None = strawberry.UNSET
    covers_parts: bool | None = strawberry.UNSET
    covers_labour: bool | None = strawberry.UNSET
    status: AssetStatus | None = strawberry.UNSET

    def to_fields(self) -> service.AssetFields:
        return to_service_fields(self, service.AssetFields, id_types={"customer_id": "Customer"})


@strawberry.input(description="A new asset: its customer and product.")
class CreateAssetInput(UpdateAssetInput):
    customer_id: relay.GlobalID
    product: str


@strawberry.type
class AssetPayload:
    asset: Asset | None
    errors: list[UserError]


def _payload(result: tuple[Any, list[UserError]]) -> AssetPayload:
    row, errors = result
    return AssetPayload(asset=Asset.from_model(row) if row else None, errors=errors)


@strawberry.type
class AssetQueries:
    assets: Connection[Asset] = connection(
        ASSETS, filter=AssetFilter, order=AssetOrder, description="Installed products."
    )


@strawberry.type
class AssetMutations:
    @strawberry.mutation(description="Record a product installed at a customer's.")
    async def create_asset(self, info: Info, input: CreateAssetInput) -> AssetPayload:
        async def work(op: Any) -> AssetRow:
            return await service.create_asset(op, input.to_fields())

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Change an asset's details, warranty or status.")
    async def update_asset(
        self, info: Info, id: relay.GlobalID, input: UpdateAssetInput
    ) -> AssetPayload:
        async def work(op: Any) -> AssetRow:
            return await service.update_asset(op, row_id_of(id, "Asset", "id"), input.to_fields())

        return _payload(await mutate(info, WRITE, work))
