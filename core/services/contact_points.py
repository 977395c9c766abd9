"""Contact points: emails, phones, addresses, social handles and websites.

Values are stored as given and in a normalised form (lower-case email, digits-only phone with
its leading +), which is what duplicate detection and import match on.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import update

from rapport.core.db import new_id
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.models import ContactPoint
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import get_customer
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation

__all__ = [
    "CONTACT_KINDS",
    "ContactPointFields",
    "add_contact_point",
    "normalize_contact",
    "remove_contact_point",
    "update_contact_point",
]

CONTACT_KINDS = ("email", "phone", "address", "social", "website")
# Pragmatic, not RFC 5322: one @, no spaces, a dot in the domain.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{5,30}$")


@dataclass
class ContactPointFields(FieldValues):
    kind: str | None = None
    value: str | None = None
    label: str | None = None
    is_primary: bool | None = None
    consent_marketing: bool | None = None
    do_not_contact: bool | None = None
    verified: bool | None = None


def normalize_contact(kind: str, value: str) -> str:
    """The form duplicates are matched on; ValueError with the reason if ``value`` is invalid."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if kind == "email":
        if not EMAIL_PATTERN.match(value) or len(value) > 320:
            raise ValueError(f"{value!r} is not an email address")
        return value.lower()
    if kind == "phone":
        if not PHONE_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a phone number")
        digits = re.sub(r"\D", "", value)
        if not 5 <= len(digits) <= 15:
            raise ValueError(f"{value!r} has {len(digits)} digits; a phone number has 5 to 15")
        return ("+" if value.startswith("+") else "") + digits
    if kind in ("social", "website"):
        return value.lower()
    if kind == "address":
        return " ".join(value.lower().split())
    raise ValueError(f"unknown kind {kind!r}")


def _check(fields: dict[str, object], prefix: str) -> None:
    errors: list[FieldError] = []
    kind = fields.get("kind")
    if kind not in CONTACT_KINDS:
        errors.append(
            FieldError(
                f"{prefix}kind",
                CoreErrorCode.NOT_ONE_OF,
                f"must be one of {', '.join(CONTACT_KINDS)}",
            )
        )
    elif isinstance(fields.get("value"), str):
        try:
            fields["normalized_value"] = normalize_contact(kind, str(fields["value"]))
            fields["value"] = str(fields["value"]).strip()
        except ValueError as exc:
            errors.append(
                FieldError(f"{prefix}value", CoreErrorCode.CONTACT_VALUE_INVALID, str(exc))
            )
    else:
        errors.append(FieldError(f"{prefix}value", ErrorCode.REQUIRED, "a value is required"))
    if errors:
        raise ValidationFailed(errors)


async def _clear_other_primaries(op: Operation, point: ContactPoint) -> None:
    await op.session.execute(
        update(ContactPoint)
        .where(
            ContactPoint.customer_id == point.customer_id,
            ContactPoint.kind == point.kind,
            ContactPoint.id != point.id,
            ContactPoint.is_primary.is_(True),
        )
        .values(is_primary=False)
    )


async def add_contact_point(
    op: Operation, customer_id: uuid.UUID, data: ContactPointFields, prefix: str = "input."
) -> ContactPoint:
    await get_customer(op, customer_id, f"{prefix}customerId")
    fields = data.given()
    _check(fields, prefix)
    point = ContactPoint(
        workspace_id=op.workspace_id, id=new_id(), customer_id=customer_id, **fields
    )
    if point.is_primary:
        # Before the insert: the unique index allows one primary per kind at any moment.
        await _clear_other_primaries(op, point)
    op.session.add(point)
    await op.session.flush()
    op.audit(
        "ContactPoint", point.id, "create", {"value": [None, point.value]}, customer_id=customer_id
    )
    return point


async def get_contact_point(op: Operation, point_id: uuid.UUID) -> ContactPoint:
    point = await op.session.get(ContactPoint, (op.workspace_id, point_id))
    if point is None:
        raise NotFound("id", "contact point")
    return point


async def update_contact_point(
    op: Operation, point_id: uuid.UUID, data: ContactPointFields, prefix: str = "input."
) -> ContactPoint:
    point = await get_contact_point(op, point_id)
    fields = data.patch(ContactPoint, prefix)
    if "value" in fields or "kind" in fields:
        merged = {"kind": fields.get("kind", point.kind), "value": fields.get("value", point.value)}
        _check(merged, prefix)
        fields["normalized_value"] = merged["normalized_value"]
        fields["value"] = merged["value"]
    if fields.get("is_primary"):
        await _clear_other_primaries(op, point)
    changes = apply_changes(point, fields)
    if changes:
        await op.session.flush()
        op.audit("ContactPoint", point.id, "update", changes, customer_id=point.customer_id)
    return point


async def remove_contact_point(op: Operation, point_id: uuid.UUID) -> ContactPoint:
    point = await get_contact_point(op, point_id)
    await op.session.delete(point)
    await op.session.flush()
    op.audit(
        "ContactPoint",
        point.id,
        "delete",
        {"value": [point.value, None]},
        customer_id=point.customer_id,
    )
    return point
