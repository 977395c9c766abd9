"""Installed products: what a customer has, where, and under which warranty."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from rapport.core import FieldValues, Operation, get_customer
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import AssetInstalled
from rapport.plugins.service.models import Asset
from rapport.plugins.service.services.common import Problems, get_row

__all__ = ["ASSET_STATUSES", "AssetFields", "create_asset", "update_asset"]

ASSET_STATUSES = ("ACTIVE", "IN_REPAIR", "RETIRED")


@dataclass
class AssetFields(FieldValues):
    customer_id: uuid.UUID | None = None
    product: str | None = None
    serial_number: str | None = None
    installed_at: date | None = None
    location: str | None = None
    warranty_start: date | None = None
    warranty_end: date | None = None
    covers_parts: bool | None = None
    covers_labour: bool | None = None
    status: str | None = None


async def _check(op: Operation, problems: Problems, asset: Asset) -> None:
    problems.required("product", asset.product)
    problems.required("serialNumber", asset.serial_number)
    problems.length("product", asset.product, 200)
    problems.length("serialNumber", asset.serial_number, 100)
    problems.length("location", asset.location, 300)
    problems.one_of("status", asset.status, ASSET_STATUSES)
    if (asset.warranty_start is None) != (asset.warranty_end is None):
        problems.add("warrantyEnd", "a warranty has a start and an end")
    elif asset.warranty_start and asset.warranty_end and asset.warranty_end < asset.warranty_start:
        problems.add("warrantyEnd", "ends before it starts")
    if (asset.covers_parts or asset.covers_labour) and asset.warranty_start is None:
        problems.add("warrantyStart", "coverage needs a warranty period")
    taken = select(Asset.id).where(
        Asset.product == asset.product,
        Asset.serial_number == asset.serial_number,
        Asset.id != asset.id,
    )
    if (await op.session.execute(taken)).first() is not None:
        problems.add(
            "serialNumber",
            "this product already has this serial number",
            ServiceErrorCode.SERIAL_NUMBER_TAKEN,
        )


async def create_asset(op: Operation, data: AssetFields) -> Asset:
    problems = Problems()
    problems.required("customerId", data.customer_id)
    problems.raise_if_any()
    assert data.customer_id is not None
    customer = await get_customer(op, data.customer_id, "input.customerId")
    asset = Asset(
        workspace_id=op.workspace_id,
        id=uuid.uuid4(),
        customer_id=customer.id,
        product=(data.product or "").strip(),
        serial_number=(data.serial_number or "").strip(),
        installed_at=data.installed_at,
        location=data.location,
        warranty_start=data.warranty_start,
        warranty_end=data.warranty_end,
        covers_parts=bool(data.covers_parts),
        covers_labour=bool(data.covers_labour),
        status=data.status or "ACTIVE",
    )
    await _check(op, problems, asset)
    problems.raise_if_any()
    op.session.add(asset)
    await op.session.flush()
    op.audit(
        "Asset",
        asset.id,
        "install",
        {"product": [None, asset.product], "serialNumber": [None, asset.serial_number]},
        customer_id=asset.customer_id,
    )
    await op.emit(AssetInstalled(id=asset.id, customer_id=asset.customer_id, product=asset.product))
    return asset


async def update_asset(op: Operation, asset_id: uuid.UUID, data: AssetFields) -> Asset:
    asset = await get_row(op, Asset, asset_id, "id", "asset")
    problems = Problems()
    if data.customer_id is not None and data.customer_id != asset.customer_id:
        problems.add(
            "customerId", "an asset stays with its customer", ServiceErrorCode.CUSTOMER_FIXED
        )
    changes = {}
    for key, value in data.patch(Asset).items():
        old = getattr(asset, key)
        if key != "customer_id" and old != value:
            changes[key] = [
                None if old is None else str(old),
                None if value is None else str(value),
            ]
            setattr(asset, key, value)
    await _check(op, problems, asset)
    problems.raise_if_any()
    await op.session.flush()
    op.audit("Asset", asset.id, "update", changes, customer_id=asset.customer_id)
    return asset
