"""Customer filter conditions that look beyond the customer row: relationships, interactions,
tasks, tags and custom field values. Each is an EXISTS (or NOT EXISTS) correlated to the
customer, so the database can stop at the first matching row."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, true
from strawberry import relay

from rapport.core.models import Customer as CustomerRow
from rapport.core.models import Interaction as InteractionRow
from rapport.core.models import Relationship as RelationshipRow
from rapport.core.models import Task as TaskRow
from rapport.core.services.tasks import OPEN_STATUSES
from rapport.core.sql import json_array_has, json_field
from rapport.schema.errors import BadRequest
from rapport.schema.scalars import JSON

__all__ = [
    "AttributeFilter",
    "InteractionCondition",
    "RelationshipCondition",
    "RelationshipDirection",
    "TagsFilter",
    "attribute_condition",
    "has_interaction",
    "has_open_task",
    "has_relationship",
    "no_interaction_since",
    "tags_condition",
]


@strawberry.enum
class RelationshipDirection(Enum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    BOTH = "both"


@strawberry.input(description="A relationship of a type, optionally to one customer.")
class RelationshipCondition:
    type: str
    to: relay.GlobalID | None = strawberry.field(
        default=None, description="The customer at the other end."
    )
    direction: RelationshipDirection = RelationshipDirection.BOTH


@strawberry.input(description="At least one interaction of these kinds since this moment.")
class InteractionCondition:
    kinds: list[str] | None = None
    since: datetime | None = None


@strawberry.input(description="Tags: `any` needs one of them, `all` needs every one.")
class TagsFilter:
    any: list[str] | None = strawberry.UNSET
    all: list[str] | None = strawberry.UNSET


@strawberry.input(description="Conditions on one custom field's value; all given must hold.")
class AttributeFilter:
    key: str
    eq: JSON | None = strawberry.UNSET
    neq: JSON | None = strawberry.UNSET
    in_: list[JSON] | None = strawberry.field(default=strawberry.UNSET, name="in")
    gt: JSON | None = strawberry.UNSET
    gte: JSON | None = strawberry.UNSET
    lt: JSON | None = strawberry.UNSET
    lte: JSON | None = strawberry.UNSET
    is_null: bool | None = strawberry.UNSET


def _customer_uuid(value: relay.GlobalID) -> uuid.UUID | None:
    if value.type_name != "Customer":
        return None
    try:
        return uuid.UUID(value.node_id)
    except ValueError:
        return None


def has_relationship(condition: RelationshipCondition) -> ColumnElement[bool]:
    other = None
    if condition.to is not None:
        other = _customer_uuid(condition.to)
        if other is None:
            return false()
    sides: list[ColumnElement[bool]] = []
    ends = (
        (RelationshipRow.from_customer_id, RelationshipRow.to_customer_id, "outgoing"),
        (RelationshipRow.to_customer_id, RelationshipRow.from_customer_id, "incoming"),
    )
    for mine, theirs, direction in ends:
        if condition.direction.value not in (direction, "both"):
            continue
        side = mine == CustomerRow.id
        sides.append(and_(side, theirs == other) if other is not None else side)
    return exists().where(RelationshipRow.type_key == condition.type, or_(*sides))


def _interactions(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        InteractionRow.customer_id == CustomerRow.id,
        InteractionRow.deleted_at.is_(None),
        *conditions,
    )


def has_interaction(condition: InteractionCondition) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if condition.kinds is not None:
        parts.append(InteractionRow.kind.in_(condition.kinds))
    if condition.since is not None:
        parts.append(InteractionRow.occurred_at >= condition.since)
    return _interactions(*parts)


def no_interaction_since(moment: datetime) -> ColumnElement[bool]:
    """No interaction at or after ``moment`` (customers never contacted included)."""
    return not_(_interactions(InteractionRow.occurred_at >= moment))


def has_open_task(value: bool) -> ColumnElement[bool]:
    found = exists().where(
        TaskRow.customer_id == CustomerRow.id,
        TaskRow.status.in_(OPEN_STATUSES),
        TaskRow.deleted_at.is_(None),
    )
    return found if value else not_(found)


def _clean_tags(tags: list[str]) -> list[str]:
    # Tags are stored trimmed and lower-cased; match the way they were written.
    return [tag.strip().lower() for tag in tags if tag.strip()]


def tags_condition(condition: TagsFilter) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if condition.any is not None and condition.any is not strawberry.UNSET:
        wanted = _clean_tags(condition.any)
        parts.append(
            json_array_has(CustomerRow.tags, wanted, require_all=False) if wanted else false()
        )
    if condition.all is not None and condition.all is not strawberry.UNSET:
        wanted = _clean_tags(condition.all)
        if wanted:
            parts.append(json_array_has(CustomerRow.tags, wanted, require_all=True))
    return and_(true(), *parts)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    raise BadRequest("attribute: compare with a string, number or boolean")


def attribute_condition(condition: AttributeFilter) -> ColumnElement[bool]:
    def value_for(operand: Any) -> ColumnElement[Any]:
        return json_field(CustomerRow.attributes, condition.key, _kind_of(operand))

    operators = {
        "eq": lambda v: value_for(v) == v,
        "neq": lambda v: value_for(v) != v,
        "gt": lambda v: value_for(v) > v,
        "gte": lambda v: value_for(v) >= v,
        "lt": lambda v: value_for(v) < v,
        "lte": lambda v: value_for(v) <= v,
    }
    parts: list[ColumnElement[bool]] = []
    for name, build in operators.items():
        operand = getattr(condition, name)
        if operand is not strawberry.UNSET and operand is not None:
            parts.append(build(operand))
    if condition.in_ is not strawberry.UNSET and condition.in_ is not None:
        parts.append(or_(false(), *(value_for(v) == v for v in condition.in_)))
    if condition.is_null is not strawberry.UNSET and condition.is_null is not None:
        present = json_field(CustomerRow.attributes, condition.key, "present")
        parts.append(present.is_(None) if condition.is_null else present.is_not(None))
    return and_(true(), *parts)
