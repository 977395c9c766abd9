"""Small helpers the banking schema modules share."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry import relay

from rapport.core import ErrorCode, ValidationFailed
from rapport.schema import decode_node_id
from rapport.schema.types.customer import Customer

__all__ = ["customer_pk", "optional_pk", "user_pk"]


def user_pk(value: relay.GlobalID, field: str) -> uuid.UUID:
    """The id inside a ``User`` global id."""
    try:
        if value.type_name != "User":
            raise ValueError
        return uuid.UUID(value.node_id)
    except ValueError as exc:
        raise ValidationFailed.one(field, "not an id of a User", ErrorCode.INVALID) from exc


def customer_pk(value: relay.GlobalID, field: str) -> uuid.UUID:
    return decode_node_id(value, Customer, field)


def optional_pk(value: relay.GlobalID | None, node_type: Any, field: str) -> uuid.UUID | None:
    return None if value is None else decode_node_id(value, node_type, field)
