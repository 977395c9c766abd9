"""Core's own value source: the interaction timeline, as engagement."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from rapport.core.db import AnySelect, table_of
from rapport.core.models import Interaction

__all__ = ["interactions_engagement"]


def interactions_engagement(workspace_id: uuid.UUID) -> AnySelect:
    interactions = table_of(Interaction)
    return select(
        interactions.c.customer_id,
        interactions.c.occurred_at,
        interactions.c.kind,
    ).where(interactions.c.workspace_id == workspace_id)
