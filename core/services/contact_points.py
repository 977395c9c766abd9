"""Contact points: emails, phones, addresses, social handles and websites.

Values are stored as given and in a normalised form, which is what duplicate detection, search
and import match on: an email checked by ``email-validator`` (syntax only, never the network)
with its domain in lower case and then lower-cased whole; a phone number parsed by
``phonenumbers`` in E.164 (``+447946123456``), read in the workspace's phone region (else the
deployment's ``default_phone_region``) when it has no ``+country code``, so ``07946 123456`` and
``+44 7946 123456`` are one number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update

from rapport.core.db import new_id
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.models import ContactPoint
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import get_customer
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation
from rapport.core.services.workspace_settings import workspace_of

__all__ = [
    "CONTACT_KINDS",
    "ContactPointFields",
    "add_contact_point",
    "normalize_contact",
    "phone_region",
    "remove_contact_point",
    "update_contact_point",
]

CONTACT_KINDS = ("email", "phone", "address", "social", "website")


@dataclass
class ContactPointFields(FieldValues):
    kind: str | None = None
    value: str | None = None
    label: str | None = None
    is_primary: bool | None = None
    consent_marketing: bool | None = None
    do_not_contact: bool | None = None
    verified: bool | None = None


async def phone_region(op: Operation) -> str | None:
    """The region a number without ``+country code`` is read in: the workspace's, else the
    deployment's ``default_phone_region``; None when neither is set."""
    workspace = await workspace_of(op)
    if workspace.phone_region:
        return workspace.phone_region
    return op.host.settings.default_phone_region.strip().upper() or None


def _normal_email(value: str) -> str:
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an email address: {exc}") from None
    return checked.normalized.lower()


def _normal_phone(value: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        hint = "" if region else " with its +country code (no default region is set)"
        raise ValueError(f"{value!r} is not a phone number{hint}") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} has the wrong number of digits for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_contact(kind: str, value: str, region: str | None = None) -> str:
    """The form duplicates are matched on; ValueError with the reason if ``value`` is invalid.

    ``region`` is where a phone number without ``+country code`` is read (``GB``).
    """
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if kind == "email":
        return _normal_email(value)
    if kind == "phone":
        return _normal_phone(value, region)
    if kind in ("social", "website"):
        return value.lower()
    if kind == "address":
        return " ".join(value.lower().split())
    raise ValueError(f"unknown kind {kind!r}")


def _check(fields: dict[str, object], prefix: str, region: str | None) -> None:
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
            fields["normalized_value"] = normalize_contact(kind, str(fields["value"]), region)
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
    _check(fields, prefix, await phone_region(op))
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
        _check(merged, prefix, await phone_region(op))
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
