"""Products and their price list in GraphQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.sales.models import Product as ProductRow
from rapport.plugins.sales.schema.common import (
    MANAGE,
    READ,
    Money,
)
from rapport.plugins.sales.services import products as service
from rapport.schema import (
    BooleanFilter,
    Connection,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    StringFilter,
    ToMany,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    order_input,
    read_many,
    reads,
    row_id_of,
    to_service_fields,
)

__all__ = ["Product", "ProductMutations", "ProductQueries"]


@order_input({"CURRENCY": "currency", "UNIT_PRICE": "unit_price"})
class ProductPriceOrder: ...


PRODUCT_PRICES = ToMany(
    target=lambda: Money,
    link=lambda scope: scope.row.product_id == scope.parent_row.id,
    order=lambda scope: list_order(
        scope.row, scope.args.get("order_by"), [("currency", OrderDirection.ASC)]
    ),
)


@strawberry.type(description="Something the workspace sells, with a price per currency.")
class Product(ModelNode):
    __model__ = ProductRow
    __permission__ = READ
    __columns__ = columns("sku", "name", "family", "description", "active")

    id: relay.NodeID[str]
    sku: str
    name: str
    family: str | None = strawberry.field(description="Commission plans may rate families apart.")
    description: str | None
    active: bool
    row: strawberry.Private[ProductRow]

    @strawberry.field(
        metadata=reads(PRODUCT_PRICES),
        description="The unit price in each currency it is sold in.",
    )
    async def prices(
        self, info: Info, order_by: list[ProductPriceOrder] | None = None
    ) -> list[Money]:
        return await read_many(info, PRODUCT_PRICES, self, order_by=order_by)


PRODUCT_FILTERS = {
    "sku": Filterable(StringFilter, ProductRow.sku),
    "name": Filterable(StringFilter, ProductRow.name),
    "family": Filterable(StringFilter, ProductRow.family),
    "active": Filterable(BooleanFilter, ProductRow.active),
}


@filter_input(
    PRODUCT_FILTERS, description="Conditions on products; all given conditions must hold."
)
class ProductFilter: ...


@order_input({"NAME": "name", "SKU": "sku", "CREATED_AT": "created_at"})
class ProductOrder: ...


PRODUCTS = filtered_listing(lambda: Product, PRODUCT_FILTERS, [("name", OrderDirection.ASC)])


@strawberry.type
class ProductQueries:
    products: Connection[Product] = connection(
        PRODUCTS,
        filter=ProductFilter,
        order=ProductOrder,
        description="Products, filtered and ordered, a page at a time.",
    )


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `sku`, `name` and `active`)."
)
class UpdateProductInput:
    sku: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    family: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET

    def to_fields(self) -> service.ProductFields:
        return to_service_fields(self, service.ProductFields)


@strawberry.input(description="A new product: its SKU and name.")
class CreateProductInput(UpdateProductInput):
    sku: str
    name: str


@strawberry.type
class ProductPayload:
    product: Product | None
    errors: list[UserError]


def _product(result: tuple[Any, list[UserError]]) -> ProductPayload:
    row, errors = result
    return ProductPayload(product=Product.from_model(row) if row else None, errors=errors)


@strawberry.type
class ProductMutations:
    @strawberry.mutation
    async def create_product(self, info: Info, input: CreateProductInput) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            return await service.create_product(op, input.to_fields())

        return _product(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_product(
        self, info: Info, id: relay.GlobalID, input: UpdateProductInput
    ) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            return await service.update_product(
                op, row_id_of(id, "Product", "id"), input.to_fields()
            )

        return _product(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Set the product's unit price in a currency.")
    async def set_product_price(
        self, info: Info, product_id: relay.GlobalID, currency: str, unit_price: Decimal
    ) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            product = row_id_of(product_id, "Product", "productId")
            await service.set_price(op, product, currency, unit_price)
            return await op.session.get(ProductRow, (op.workspace_id, product))

        return _product(await mutate(info, MANAGE, work))
