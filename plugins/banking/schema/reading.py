"""The resolvers' reading of to-one declarations whose key is a subquery of the parent row.

``read_one`` reads the key from the parent's loaded row, so it serves keys that are columns.
The banking fields on a customer (its household, its primary manager, its tier) find their key
with a subquery instead; here that same subquery is run for every parent of a batch in one
statement, and the row is then read by id like any other to-one field.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from rapport.schema import Info, RequestContext, ToOne, context_of, scope_of

__all__ = ["read_one_by_subquery"]


def _keys_loader(
    context: RequestContext, declaration: ToOne, model: Any
) -> DataLoader[uuid.UUID, Any]:
    key = declaration.key(scope_of(context, model))

    async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
        if key is None:
            return [None for _ in ids]
        async with context.db() as session:
            rows = await session.execute(select(model.id, key).where(model.id.in_(list(ids))))
        found: dict[Any, Any] = dict(rows.all())
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


async def read_one_by_subquery(info: Info, declaration: ToOne, node: Any) -> Any:
    """The node a to-one field names when its key is a subquery of the parent's row."""
    context = context_of(info)
    model = type(node).__model__
    loader = context.loader_for(
        ("banking-keys", id(declaration)), lambda ctx: _keys_loader(ctx, declaration, model)
    )
    return await declaration.target().resolve_pk(info, await loader.load(node.row.id))
