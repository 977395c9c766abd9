"""Products and their price list in GraphQL."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.plugins.sales.models import Product as ProductRow
from rapport.plugins.sales.models import ProductPrice as ProductPriceRow
from rapport.plugins.sales.schema.common import (
    MANAGE,
    READ,
    Listing,
    Money,
    load_grouped,
    required_id,
)
from rapport.plugins.sales.services import products as service
from rapport.schema import (
    BooleanFilter,
    Connection,
    ModelNode,
    OrderDirection,
    StringFilter,
    UserError,
    context_of,
    mutate,
)

__all__ = ["Product", "ProductMutations", "ProductQueries"]


@strawberry.type(description="Something the workspace sells, with a price per currency.")
class Product(ModelNode):
    __model__ = ProductRow
    __permission__ = READ

    id: relay.NodeID[str]
    sku: str
    name: str
    family: str | None = strawberry.field(description="Commission plans may rate families apart.")
    description: str | None
    active: bool
    row: strawberry.Private[ProductRow]

    @classmethod
    def from_model(cls, row: ProductRow) -> Product:
        return cls(
            id=str(row.id),
            sku=row.sku,
            name=row.name,
            family=row.family,
            description=row.description,
            active=row.active,
            row=row,
        )

    @strawberry.field(description="The unit price in each currency it is sold in.")
    async def prices(self, info: Info) -> list[Money]:
        rows = await load_grouped(
            context_of(info), ProductPriceRow, "product_id", self.row.id, ProductPriceRow.currency
        )
        return [Money(amount=row.unit_price, currency=row.currency) for row in rows]


@strawberry.input(description="Conditions on products; all given conditions must hold.")
class ProductFilter:
    sku: StringFilter | None = strawberry.UNSET
    name: StringFilter | None = strawberry.UNSET
    family: StringFilter | None = strawberry.UNSET
    active: BooleanFilter | None = strawberry.UNSET
    and_: list[ProductFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[ProductFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: ProductFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


PRODUCT_FILTERS = {
    "sku": ProductRow.sku,
    "name": ProductRow.name,
    "family": ProductRow.family,
    "active": ProductRow.active,
}


@strawberry.enum
class ProductOrderField(Enum):
    NAME = "name"
    SKU = "sku"
    CREATED_AT = "created_at"


@strawberry.input
class ProductOrder:
    field: ProductOrderField
    direction: OrderDirection = OrderDirection.ASC


PRODUCTS = Listing(
    ProductRow,
    PRODUCT_FILTERS,
    {"name": ProductRow.name, "sku": ProductRow.sku, "created_at": ProductRow.created_at},
    "name",
    Product.from_model,
)


@strawberry.type
class ProductQueries:
    @strawberry.field(description="Products, filtered and ordered, a page at a time.")
    async def products(
        self,
        info: Info,
        filter: ProductFilter | None = None,
        order_by: list[ProductOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product]:
        return await PRODUCTS.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )


@strawberry.input
class ProductInput:
    sku: str | None = None
    name: str | None = None
    family: str | None = None
    description: str | None = None
    active: bool | None = None

    def to_fields(self) -> service.ProductFields:
        return service.ProductFields(
            sku=self.sku,
            name=self.name,
            family=self.family,
            description=self.description,
            active=self.active,
        )


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
    async def create_product(self, info: Info, input: ProductInput) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            return await service.create_product(op, input.to_fields())

        return _product(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_product(
        self, info: Info, id: relay.GlobalID, input: ProductInput
    ) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            return await service.update_product(
                op, required_id(id, "Product", "id"), input.to_fields()
            )

        return _product(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Set the product's unit price in a currency.")
    async def set_product_price(
        self, info: Info, product_id: relay.GlobalID, currency: str, unit_price: Decimal
    ) -> ProductPayload:
        async def work(op: Any) -> ProductRow:
            product = required_id(product_id, "Product", "productId")
            await service.set_price(op, product, currency, unit_price)
            return await op.session.get(ProductRow, (op.workspace_id, product))

        return _product(await mutate(info, MANAGE, work))
