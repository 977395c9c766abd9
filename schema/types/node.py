"""``node(id:)`` and ``nodes(ids:)`` for every type, plugins' too."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import strawberry
from strawberry import relay

from rapport.schema.context import Info
from rapport.schema.relay import ModelNode

__all__ = ["NodeQueries", "node_type_of", "resolve_global_ids"]


def node_type_of(info: Info, global_id: relay.GlobalID) -> type[ModelNode] | None:
    definition = info.schema.get_type_by_name(global_id.type_name)
    origin = getattr(definition, "origin", None)
    if isinstance(origin, type) and issubclass(origin, ModelNode):
        return origin
    return None


async def resolve_global_ids(info: Info, ids: list[relay.GlobalID]) -> list[Any]:
    """The records behind ``ids`` in order, None where there is none; one batch per type."""
    by_type: dict[type[ModelNode], list[int]] = defaultdict(list)
    for position, global_id in enumerate(ids):
        node_type = node_type_of(info, global_id)
        if node_type is not None:
            by_type[node_type].append(position)
    found: list[Any] = [None] * len(ids)
    for node_type, positions in by_type.items():
        nodes = await node_type.resolve_nodes(
            info=info, node_ids=[ids[p].node_id for p in positions]
        )
        for position, node in zip(positions, nodes, strict=True):
            found[position] = node
    return found


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any record by its global id; null when there is none.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        return (await resolve_global_ids(info, [id]))[0]

    @strawberry.field(description="Records by global id, in the same order; null where none.")
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.max_page_size:
            from rapport.schema.errors import BadRequest

            raise BadRequest(f"ids: at most {info.context.settings.max_page_size} at once")
        return await resolve_global_ids(info, ids)
