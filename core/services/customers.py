"""Customers: create, update, soft delete and restore, with validation and audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import (
    Conflict,
    DomainCode,
    ErrorCode,
    FieldError,
    NotFound,
    ValidationFailed,
)
from rapport.core.event_types import (
    CustomerCreated,
    CustomerDeleted,
    CustomerRestored,
    CustomerUpdated,
)
from rapport.core.models import Customer, User
from rapport.core.services.changes import apply_changes
from rapport.core.services.custom_fields import validate_attributes
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation

__all__ = [
    "CUSTOMER_KINDS",
    "LIFECYCLE_STATUSES",
    "CustomerFields",
    "check_customer_fields",
    "create_customer",
    "customer_errors",
    "delete_customer",
    "get_customer",
    "restore_customer",
    "update_customer",
]

CUSTOMER_KINDS = ("person", "organization")
LIFECYCLE_STATUSES = ("lead", "prospect", "active", "dormant", "churned", "won_back")
MAX_TAGS = 50


@dataclass
class CustomerFields(FieldValues):
    """The writable fields. ``attributes`` of an update are merged into the customer's: a key
    given ``None`` is removed, keys not given are kept."""

    kind: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organization_name: str | None = None
    lifecycle_status: str | None = None
    owner_id: uuid.UUID | None = None
    tags: list[str] | None = None
    industry: str | None = None
    occupation: str | None = None
    birth_date: date | None = None
    region: str | None = None
    source_channel: str | None = None
    notes: str | None = None
    attributes: dict[str, Any] | None = None


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def display_name_of(kind: str, values: dict[str, Any]) -> str:
    if kind == "organization":
        return values.get("organization_name") or ""
    return " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)


def check_customer_fields(
    fields: dict[str, Any], merged: dict[str, Any], prefix: str
) -> list[FieldError]:
    """The checks that need no database; cleans ``fields`` in place (text, tags).

    ``merged`` is the record as it would be (current values overlaid by ``fields``).
    """
    errors: list[FieldError] = []

    def bad(name: str, message: str, code: ErrorCode | DomainCode = ErrorCode.INVALID) -> None:
        errors.append(FieldError(f"{prefix}{name}", code, message))

    for name in (
        "first_name",
        "last_name",
        "organization_name",
        "industry",
        "occupation",
        "region",
        "source_channel",
    ):
        if name in fields:
            fields[name] = _clean_text(fields[name])
    kind = merged.get("kind")
    if kind not in CUSTOMER_KINDS:
        bad("kind", f"must be one of {', '.join(CUSTOMER_KINDS)}", CoreErrorCode.NOT_ONE_OF)
    elif not display_name_of(kind, {**merged, **fields}):
        if kind == "organization":
            bad("organizationName", "an organization needs a name", ErrorCode.REQUIRED)
        else:
            bad("lastName", "a person needs a first or last name", ErrorCode.REQUIRED)
    status = fields.get("lifecycle_status")
    if status is not None and status not in LIFECYCLE_STATUSES:
        bad(
            "lifecycleStatus",
            f"must be one of {', '.join(LIFECYCLE_STATUSES)}",
            CoreErrorCode.NOT_ONE_OF,
        )
    birth = fields.get("birth_date")
    if birth is not None and birth > date.today():
        bad("birthDate", "must not be in the future", CoreErrorCode.IN_THE_FUTURE)
    if "tags" in fields:
        tags = sorted({t.strip().lower() for t in fields["tags"] if t.strip()})
        if len(tags) > MAX_TAGS:
            bad("tags", f"at most {MAX_TAGS} tags")
        fields["tags"] = tags
    return errors


async def _validate(
    op: Operation,
    fields: dict[str, Any],
    merged: dict[str, Any],
    prefix: str,
    attributes: dict[str, Any],
) -> list[FieldError]:
    """``attributes`` are the customer's current custom field values, which given ones merge
    into."""
    errors = check_customer_fields(fields, merged, prefix)
    owner = fields.get("owner_id")
    if owner is not None and await op.session.get(User, (op.workspace_id, owner)) is None:
        errors.append(
            FieldError(f"{prefix}ownerId", ErrorCode.NOT_FOUND, "no such user in this workspace")
        )
    if "attributes" in fields:
        cleaned, attribute_errors = await validate_attributes(
            op.session, fields["attributes"], attributes, prefix
        )
        fields["attributes"] = cleaned
        errors.extend(attribute_errors)
    return errors


async def get_customer(op: Operation, customer_id: uuid.UUID, field: str = "id") -> Customer:
    """A live (not deleted) customer of this workspace, or NotFound naming ``field``."""
    customer = await op.session.get(Customer, (op.workspace_id, customer_id))
    if customer is None or customer.deleted_at is not None:
        raise NotFound(field, "customer")
    return customer


async def customer_errors(op: Operation, customer_id: uuid.UUID, field: str) -> list[FieldError]:
    """No errors when ``customer_id`` is a live customer; else the NOT_FOUND on ``field``."""
    try:
        await get_customer(op, customer_id, field)
    except NotFound as missing:
        return missing.errors
    return []


async def create_customer(op: Operation, data: CustomerFields, prefix: str = "input.") -> Customer:
    fields = data.given()
    fields.setdefault("lifecycle_status", "lead")
    if data.attributes is None:
        fields["attributes"] = {}
    errors = await _validate(op, fields, dict(fields), prefix, {})
    if errors:
        raise ValidationFailed(errors)
    customer = Customer(
        workspace_id=op.workspace_id,
        display_name=display_name_of(fields["kind"], fields),
        tags=fields.pop("tags", []),
        **fields,
    )
    op.session.add(customer)
    await op.session.flush()
    op.audit(
        "Customer",
        customer.id,
        "create",
        {"displayName": [None, customer.display_name]},
        customer_id=customer.id,
    )
    await op.emit(CustomerCreated(id=customer.id, display_name=customer.display_name))
    return customer


async def update_customer(
    op: Operation,
    customer_id: uuid.UUID,
    data: CustomerFields,
    *,
    expected_version: int | None = None,
    prefix: str = "input.",
) -> Customer:
    customer = await get_customer(op, customer_id)
    if expected_version is not None and customer.version != expected_version:
        raise Conflict(
            f"{prefix}version",
            f"customer was changed since version {expected_version} (now {customer.version}); "
            "reload and retry",
        )
    fields = data.patch(Customer, prefix)
    current = {name: getattr(customer, name) for name in CustomerFields.names()}
    errors = await _validate(
        op, fields, {**current, **fields}, prefix, dict(customer.attributes or {})
    )
    if errors:
        raise ValidationFailed(errors)
    changes = apply_changes(customer, fields)
    name = display_name_of(customer.kind, current | fields)
    changes |= apply_changes(customer, {"display_name": name})
    if changes:
        customer.updated_at = utcnow()
        await op.session.flush()
        op.audit("Customer", customer.id, "update", changes, customer_id=customer.id)
        await op.emit(CustomerUpdated(id=customer.id, fields=tuple(sorted(changes))))
    return customer


async def delete_customer(op: Operation, customer_id: uuid.UUID) -> Customer:
    customer = await get_customer(op, customer_id)
    customer.deleted_at = utcnow()
    await op.session.flush()
    op.audit("Customer", customer.id, "delete", customer_id=customer.id)
    await op.emit(CustomerDeleted(id=customer.id))
    return customer


async def restore_customer(op: Operation, customer_id: uuid.UUID) -> Customer:
    customer = await op.session.get(Customer, (op.workspace_id, customer_id))
    if customer is None:
        raise NotFound("id", "customer")
    if customer.deleted_at is None:
        raise Conflict("id", "customer is not deleted")
    if customer.merged_into_id is not None:
        raise Conflict("id", "customer was merged into another; it cannot be restored")
    customer.deleted_at = None
    await op.session.flush()
    op.audit("Customer", customer.id, "restore", customer_id=customer.id)
    await op.emit(CustomerRestored(id=customer.id))
    return customer


async def live_customer_ids(op: Operation, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = await op.session.execute(
        select(Customer.id).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
    )
    return set(rows.scalars())
