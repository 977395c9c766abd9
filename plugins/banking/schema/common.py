"""Small helpers the banking schema modules share."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from rapport.core.tenancy import tenant_session
from rapport.schema import RequestContext, decode_node_id, row_id_of
from rapport.schema.types.customer import Customer

__all__ = ["customer_pk", "optional_pk", "user_pk", "workspace_wide"]


@asynccontextmanager
async def workspace_wide(context: RequestContext) -> AsyncIterator[AsyncSession]:
    """A read session over the caller's whole workspace, without the row policies.

    For figures about something the caller may see that are computed from rows they may not:
    a manager's scorecard counts the clients that left the book, and a product's adoption
    among a client's peers counts clients of other books. Only such aggregates leave it.
    """
    actor = context.require_actor()
    async with tenant_session(context.runtime.sessions, actor.workspace_id) as session:
        yield session


def user_pk(value: relay.GlobalID, field: str) -> uuid.UUID:
    """The id inside a ``User`` global id."""
    return row_id_of(value, "User", field)


def customer_pk(value: relay.GlobalID, field: str) -> uuid.UUID:
    return decode_node_id(value, Customer, field)


def optional_pk(value: relay.GlobalID | None, node_type: Any, field: str) -> uuid.UUID | None:
    return None if value is None else decode_node_id(value, node_type, field)
