"""Relationships: typed, directed edges between customers, and the types they may have.

A type is either contributed by a plugin (the registry, ``runtime.vocabulary``) or defined by a
workspace for itself (a ``RelationshipTypeRow``). Both kinds are looked up together, so an edge
never refers to a type the workspace cannot see.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.event_types import RelationshipCreated, RelationshipDeleted, RelationshipUpdated
from rapport.core.models import Customer, Relationship, RelationshipTypeRow
from rapport.core.plugins import PluginHost
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import get_customer
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation
from rapport.core.vocabulary import RelationshipType, build_vocabulary

__all__ = [
    "RelationshipFields",
    "create_relationship",
    "define_relationship_type",
    "delete_relationship",
    "relationship_types",
    "remove_relationship_type",
    "update_relationship",
]

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
WORKSPACE_PLUGIN = "workspace"


@dataclass
class RelationshipFields(FieldValues):
    api_names: ClassVar[dict[str, str]] = {
        "type_key": "type",
        "from_customer_id": "fromId",
        "to_customer_id": "toId",
    }

    type_key: str | None = None
    from_customer_id: uuid.UUID | None = None
    to_customer_id: uuid.UUID | None = None
    role: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    notes: str | None = None


async def relationship_types(
    session: AsyncSession, host: PluginHost
) -> dict[str, RelationshipType]:
    """Every type this workspace may use: the plugins' first, then its own."""
    found = dict(build_vocabulary(host).relationship_types)
    rows = await session.execute(select(RelationshipTypeRow).order_by(RelationshipTypeRow.key))
    for row in rows.scalars():
        found.setdefault(
            row.key,
            RelationshipType(
                row.key, row.label, row.inverse_label, row.symmetric, WORKSPACE_PLUGIN
            ),
        )
    return found


async def define_relationship_type(
    op: Operation, *, key: str, label: str, inverse_label: str | None, symmetric: bool = False
) -> RelationshipTypeRow:
    errors: list[FieldError] = []
    if not KEY_PATTERN.match(key):
        errors.append(
            FieldError(
                "input.key",
                CoreErrorCode.KEY_INVALID,
                "lower-case letters, digits and _, starting with a letter",
            )
        )
    if not label.strip():
        errors.append(FieldError("input.label", ErrorCode.REQUIRED, "a label is required"))
    if errors:
        raise ValidationFailed(errors)
    if key in await relationship_types(op.session, op.host):
        raise Conflict("input.key", f"a relationship type {key!r} exists already")
    inverse = (inverse_label or "").strip() or label.strip()
    row = RelationshipTypeRow(
        workspace_id=op.workspace_id,
        key=key,
        label=label.strip(),
        inverse_label=label.strip() if symmetric else inverse,
        symmetric=symmetric,
    )
    op.session.add(row)
    await op.session.flush()
    op.audit("RelationshipType", row.id, "create", {"key": [None, key]})
    return row


async def remove_relationship_type(op: Operation, key: str) -> RelationshipTypeRow:
    """Remove a type of the workspace's own that no relationship uses (so nothing is lost)."""
    if key in build_vocabulary(op.host).relationship_types:
        raise ValidationFailed.one(
            "key", f"{key!r} is a built-in type and cannot be removed", CoreErrorCode.BUILT_IN_TYPE
        )
    row = (
        await op.session.execute(select(RelationshipTypeRow).where(RelationshipTypeRow.key == key))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("key", f"relationship type {key!r}")
    used = (
        await op.session.execute(
            select(func.count()).select_from(Relationship).where(Relationship.type_key == key)
        )
    ).scalar_one()
    if used:
        raise Conflict("key", f"{used} relationship(s) have the type {key!r}; remove them first")
    await op.session.delete(row)
    await op.session.flush()
    op.audit("RelationshipType", row.id, "delete", {"key": [key, None]})
    return row


def _kind_errors(
    kind: RelationshipType, ends: dict[str, Customer], prefix: str
) -> list[FieldError]:
    """The ends whose customer kind the type does not join (``employee_of``: person to
    organization)."""
    errors: list[FieldError] = []
    for name, path, allowed in (
        ("from_customer_id", "fromId", kind.from_kinds),
        ("to_customer_id", "toId", kind.to_kinds),
    ):
        end = ends.get(name)
        if allowed and end is not None and end.kind not in allowed:
            errors.append(
                FieldError(
                    f"{prefix}{path}",
                    CoreErrorCode.WRONG_CUSTOMER_KIND,
                    f"{kind.key} joins {' or '.join(kind.from_kinds) or 'any'} to "
                    f"{' or '.join(kind.to_kinds) or 'any'}; this one is of kind {end.kind}",
                )
            )
    return errors


def _overlap(a_start: object, a_end: object, b_start: object, b_end: object) -> bool:
    """Whether two date spans meet; a missing start or end is open on that side."""
    starts_before_b_ends = not (isinstance(a_start, date) and isinstance(b_end, date)) or (
        a_start <= b_end
    )
    b_starts_before_a_ends = not (isinstance(b_start, date) and isinstance(a_end, date)) or (
        b_start <= a_end
    )
    return starts_before_b_ends and b_starts_before_a_ends


async def _duplicate_error(
    op: Operation, merged: dict[str, object], symmetric: bool, own_id: object, prefix: str
) -> FieldError | None:
    """The same edge (type, ends, overlapping dates) existing already; a symmetric type's
    edge is the same read either way."""
    ends = (merged["from_customer_id"], merged["to_customer_id"])
    pairs = [ends, ends[::-1]] if symmetric else [ends]
    same = select(Relationship).where(
        Relationship.type_key == merged["type_key"],
        or_(
            *(
                and_(Relationship.from_customer_id == a, Relationship.to_customer_id == b)
                for a, b in pairs
            )
        ),
    )
    for other in (await op.session.execute(same)).scalars():
        if other.id != own_id and _overlap(
            merged.get("start_date"), merged.get("end_date"), other.start_date, other.end_date
        ):
            return FieldError(
                f"{prefix}toId",
                CoreErrorCode.DUPLICATE_RELATIONSHIP,
                "these customers already have this relationship over these dates",
            )
    return None


async def _validate(
    op: Operation,
    fields: dict[str, object],
    merged: dict[str, object],
    prefix: str,
    own_id: object = None,
) -> None:
    errors: list[FieldError] = []
    types = await relationship_types(op.session, op.host)
    type_key = fields.get("type_key")
    if type_key is not None and type_key not in types:
        errors.append(
            FieldError(
                f"{prefix}type",
                CoreErrorCode.UNKNOWN_RELATIONSHIP_TYPE,
                f"unknown relationship type {type_key!r}",
            )
        )
    ends: dict[str, Customer] = {}
    for name, path in (("from_customer_id", "fromId"), ("to_customer_id", "toId")):
        customer_id = merged.get(name)
        if isinstance(customer_id, uuid.UUID):
            try:
                ends[name] = await get_customer(op, customer_id, f"{prefix}{path}")
            except NotFound as missing:
                if name in fields:
                    errors.extend(missing.errors)
    # Only what this write changes is held to the rules, so editing the notes of an older
    # edge is never refused for what it already was.
    kind = types.get(str(merged.get("type_key")))
    self_edge = merged.get("from_customer_id") == merged.get("to_customer_id")
    if kind is not None and "type_key" in fields and not self_edge:
        errors.extend(_kind_errors(kind, ends, prefix))
    if self_edge:
        errors.append(
            FieldError(
                f"{prefix}toId",
                CoreErrorCode.SELF_RELATIONSHIP,
                "a customer cannot relate to itself",
            )
        )
    start, end = merged.get("start_date"), merged.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        errors.append(
            FieldError(
                f"{prefix}endDate",
                CoreErrorCode.DATES_REVERSED,
                "must not be before the start date",
            )
        )
    if not errors and kind is not None and fields.keys() & {"type_key", "start_date", "end_date"}:
        duplicate = await _duplicate_error(op, merged, kind.symmetric, own_id, prefix)
        if duplicate is not None:
            errors.append(duplicate)
    if errors:
        raise ValidationFailed(errors)


async def create_relationship(
    op: Operation, data: RelationshipFields, prefix: str = "input."
) -> Relationship:
    fields = data.given()
    missing = [
        FieldError(f"{prefix}{path}", ErrorCode.REQUIRED, "required")
        for name, path in (
            ("type_key", "type"),
            ("from_customer_id", "fromId"),
            ("to_customer_id", "toId"),
        )
        if name not in fields
    ]
    if missing:
        raise ValidationFailed(missing)
    await _validate(op, fields, dict(fields), prefix)
    relationship = Relationship(workspace_id=op.workspace_id, **fields)
    op.session.add(relationship)
    await op.session.flush()
    op.audit(
        "Relationship",
        relationship.id,
        "create",
        {"type": [None, relationship.type_key], "toId": [None, str(relationship.to_customer_id)]},
        customer_id=relationship.from_customer_id,
        other_customer_id=relationship.to_customer_id,
    )
    await _emit(op, RelationshipCreated, relationship)
    return relationship


async def _emit(
    op: Operation,
    event: type[RelationshipCreated | RelationshipUpdated | RelationshipDeleted],
    relationship: Relationship,
) -> None:
    await op.emit(
        event(
            id=relationship.id,
            type=relationship.type_key,
            from_id=relationship.from_customer_id,
            to_id=relationship.to_customer_id,
        )
    )


async def get_relationship(op: Operation, relationship_id: uuid.UUID) -> Relationship:
    relationship = await op.session.get(Relationship, (op.workspace_id, relationship_id))
    if relationship is None:
        raise NotFound("id", "relationship")
    return relationship


async def update_relationship(
    op: Operation, relationship_id: uuid.UUID, data: RelationshipFields, prefix: str = "input."
) -> Relationship:
    """Change role, dates, notes or type; the two ends of an edge never move."""
    relationship = await get_relationship(op, relationship_id)
    fields = data.patch(Relationship, prefix)
    for fixed, path in (("from_customer_id", "fromId"), ("to_customer_id", "toId")):
        if fixed in fields:
            raise ValidationFailed.one(
                f"{prefix}{path}",
                "the ends of a relationship cannot change; create a new one",
                CoreErrorCode.RELATIONSHIP_ENDS_FIXED,
            )
    current = {name: getattr(relationship, name) for name in RelationshipFields.names()}
    await _validate(op, fields, {**current, **fields}, prefix, relationship.id)
    changes = apply_changes(relationship, fields)
    if changes:
        await op.session.flush()
        op.audit(
            "Relationship",
            relationship.id,
            "update",
            changes,
            customer_id=relationship.from_customer_id,
            other_customer_id=relationship.to_customer_id,
        )
        await _emit(op, RelationshipUpdated, relationship)
    return relationship


async def delete_relationship(op: Operation, relationship_id: uuid.UUID) -> Relationship:
    relationship = await get_relationship(op, relationship_id)
    await op.session.delete(relationship)
    await op.session.flush()
    op.audit(
        "Relationship",
        relationship.id,
        "delete",
        {"type": [relationship.type_key, None]},
        customer_id=relationship.from_customer_id,
        other_customer_id=relationship.to_customer_id,
    )
    await _emit(op, RelationshipDeleted, relationship)
    return relationship
