"""Products and their price list (one unit price per currency)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from rapport.core import ErrorCode, FieldValues, Operation, apply_changes
from rapport.plugins.sales.models import Product, ProductPrice
from rapport.plugins.sales.services.common import Problems, get_row, money

__all__ = ["ProductFields", "create_product", "price_of", "set_price", "update_product"]


@dataclass
class ProductFields(FieldValues):
    sku: str | None = None
    name: str | None = None
    family: str | None = None
    description: str | None = None
    active: bool | None = None

    def given(self) -> dict[str, object]:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in super().given().items()}


async def _validate(
    op: Operation, fields: dict[str, object], product_id: uuid.UUID | None, creating: bool
) -> None:
    problems = Problems()
    if creating or "sku" in fields:
        problems.required("sku", fields.get("sku"))
    if creating or "name" in fields:
        problems.required("name", fields.get("name"))
    sku = fields.get("sku")
    if isinstance(sku, str) and sku:
        statement = select(Product.id).where(func.lower(Product.sku) == sku.lower())
        if product_id is not None:
            statement = statement.where(Product.id != product_id)
        if (await op.session.execute(statement)).first() is not None:
            problems.add("sku", "another product has this SKU", ErrorCode.DUPLICATE)
    problems.raise_if_any()


async def create_product(op: Operation, data: ProductFields) -> Product:
    fields = data.given()
    await _validate(op, fields, None, creating=True)
    product = Product(workspace_id=op.workspace_id, **fields)
    op.session.add(product)
    await op.session.flush()
    op.audit("Product", product.id, "create", {"sku": [None, product.sku]})
    return product


async def update_product(op: Operation, product_id: uuid.UUID, data: ProductFields) -> Product:
    product = await get_row(op, Product, product_id, "id", "product")
    fields = data.patch(Product)
    await _validate(op, fields, product.id, creating=False)
    changes = apply_changes(product, fields)
    if changes:
        await op.session.flush()
        op.audit("Product", product.id, "update", changes)
    return product


async def set_price(
    op: Operation, product_id: uuid.UUID, currency: str, unit_price: Decimal
) -> ProductPrice:
    """Set (or replace) the product's unit price in ``currency``."""
    await get_row(op, Product, product_id, "productId", "product")
    problems = Problems("")
    problems.currency("currency", currency)
    problems.money("unitPrice", unit_price, currency)
    problems.raise_if_any()
    price = await price_of(op, product_id, currency)
    if price is None:
        price = ProductPrice(
            workspace_id=op.workspace_id, product_id=product_id, currency=currency, unit_price=0
        )
        op.session.add(price)
    before = price.unit_price
    price.unit_price = money(unit_price)
    await op.session.flush()
    op.audit(
        "Product",
        product_id,
        "price",
        {f"price.{currency}": [str(before) if before else None, str(price.unit_price)]},
    )
    return price


async def price_of(op: Operation, product_id: uuid.UUID, currency: str) -> ProductPrice | None:
    statement = select(ProductPrice).where(
        ProductPrice.product_id == product_id, ProductPrice.currency == currency
    )
    return (await op.session.execute(statement)).scalar_one_or_none()
