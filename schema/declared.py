"""The resolvers' reading of a declaration: the same ToOne, ToMany and Listing the compiler reads.

A field declared with :func:`~rapport.schema.entities.reads` needs a resolver for the queries
the compiler leaves to strawberry (a computed field somewhere in the selection, a mutation's
payload). These functions are that resolver: one batched statement per field and request,
whatever the number of parents, written from the declaration itself, so both paths return the
same rows in the same order.

    @strawberry.field(metadata=reads(STAGE_HISTORY), description="...")
    async def stage_history(self, info: Info) -> list[StageChange]:
        return await read_many(info, STAGE_HISTORY, self)

    customer: Customer | None = related(OPPORTUNITY_CUSTOMER, description="...")

The parent node keeps its row (a private ``row`` field); links and conditions are written
against the parent's mapped class, which here is an alias joined to the listed rows, so the
session's tenancy and access policies apply to both ends as they do in the compiled statement.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import strawberry
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from rapport.schema.batched_pages import paginate_per_parent
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.entities import Caller, Entity, Listing, Scope, ToMany, ToOne, entity_of, reads
from rapport.schema.relay import Connection, paginate

__all__ = ["connection", "read_many", "read_one", "read_page", "related", "scope_of"]


def scope_of(
    context: RequestContext,
    row: Any,
    parent: Scope | None = None,
    args: Mapping[str, Any] | None = None,
) -> Scope:
    """The scope a declaration sees, for the caller of ``context``."""
    actor = context.require_actor()
    caller = Caller(actor.workspace_id, actor.user_id)
    return Scope(row, parent, dict(args or {}), context.runtime, actor.permissions, lambda: caller)


def _entity(node_type: Any) -> Entity:
    entity = entity_of(node_type)
    if entity is None:
        raise TypeError(f"{getattr(node_type, '__name__', node_type)} declares no __columns__")
    return entity


def _arguments_key(args: Mapping[str, Any]) -> Hashable:
    # Inputs print the same for the same values: parents asking alike share one batch.
    return tuple(sorted((name, repr(value)) for name, value in args.items()))


async def read_one(info: Info, declaration: ToOne, node: Any) -> Any:
    """The row a to-one field names, as its node (None when it is missing or unseen).

    The key is read from the parent's row, so it must be one of its attributes.
    """
    context = context_of(info)
    target = declaration.target()
    holder = scope_of(context, node.row)
    if declaration.shows_deleted(holder):
        raise TypeError("a to-one field that shows deleted rows needs its own resolver")
    return await target.resolve_pk(info, declaration.key(holder))


def related(declaration: ToOne, *, description: str | None = None) -> Any:
    """A to-one field read by its declaration; its type is the class annotation beside it."""

    async def resolve(root: Any, info: Info) -> Any:
        return await read_one(info, declaration, root)

    # Without a return annotation strawberry takes the field's type from the class.
    del resolve.__annotations__["return"]
    return strawberry.field(resolver=resolve, metadata=reads(declaration), description=description)


def connection(
    declaration: Listing,
    *,
    filter: type | None = None,
    order: type | None = None,
    description: str | None = None,
) -> Any:
    """A connection field read by its declaration; its type is the class annotation beside it.

    Its arguments are ``filter`` (of the given input), ``orderBy`` (a list of the given order
    input), ``first``/``after`` and, at the root, ``last``/``before``: the same for every list,
    so they are written here once rather than in every resolver.
    """
    per_parent = declaration.link is not None

    async def resolve(root: Any, info: Info, **arguments: Any) -> Any:
        return await read_page(info, declaration, root if per_parent else None, **arguments)

    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [
        inspect.Parameter("root", positional, annotation=Any),
        inspect.Parameter("info", positional, annotation=Info),
    ]
    wanted: list[tuple[str, Any]] = []
    if filter is not None:
        wanted.append(("filter", filter | None))
    if order is not None:
        wanted.append(("order_by", list[order] | None))  # type: ignore[valid-type]
    wanted += [("first", int | None), ("after", str | None)]
    if not per_parent:
        wanted += [("last", int | None), ("before", str | None)]
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters += [inspect.Parameter(n, keyword, default=None, annotation=t) for n, t in wanted]
    # strawberry reads a resolver's arguments from its signature; no return annotation, so
    # the field's type is the class annotation.
    setattr(resolve, "__signature__", inspect.Signature(parameters))  # noqa: B010
    resolve.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return strawberry.field(resolver=resolve, metadata=reads(declaration), description=description)


def _many_loader(
    context: RequestContext,
    declaration: ToMany,
    parent_entity: Entity,
    args: Mapping[str, Any],
) -> DataLoader[Hashable, list[Any]]:
    model = _entity(declaration.target()).model
    parent = aliased(parent_entity.model, name="parent")
    scope = scope_of(context, model, Scope(parent), args)
    conditions = [declaration.link(scope), *declaration.where(scope)]
    order = list(declaration.order(scope))
    limit = declaration.limit(scope)

    async def load(parent_ids: Sequence[Hashable]) -> list[list[Any]]:
        wanted = [parent.id.in_(list(parent_ids)), *conditions]
        if limit is None:
            statement = (
                select(model, parent.id).where(*wanted).order_by(parent.id, *order, model.id)
            )
        else:
            rank = func.row_number().over(partition_by=parent.id, order_by=[*order, model.id])
            ranked = (
                select(model.id, parent.id.label("parent_id"), rank.label("rank"))
                .where(*wanted)
                .subquery()
            )
            statement = (
                select(model, ranked.c.parent_id)
                .join(ranked, ranked.c.id == model.id)
                .where(ranked.c.rank <= limit)
                .order_by(ranked.c.parent_id, ranked.c.rank)
            )
        async with context.db() as session:
            rows = (await session.execute(statement)).all()
        grouped: dict[Hashable, list[Any]] = defaultdict(list)
        for row, parent_id in rows:
            grouped[parent_id].append(row)
        return [grouped.get(parent_id, []) for parent_id in parent_ids]

    return DataLoader(load_fn=load)


async def read_many(info: Info, declaration: ToMany, node: Any, **args: Any) -> list[Any]:
    """A to-many field's nodes under ``node``, batched with its siblings' lists."""
    context = context_of(info)
    if declaration.row is not None:
        raise TypeError("a list read through a view needs its own resolver")
    target = declaration.target()
    if declaration.permission:
        context.require(declaration.permission)
    context.require(_entity(target).permission)
    parent_entity = _entity(type(node))
    loader = context.loader_for(
        ("reads", id(declaration), _arguments_key(args)),
        lambda ctx: _many_loader(ctx, declaration, parent_entity, args),
    )
    return [target.from_model(row) for row in await loader.load(node.row.id)]


async def read_page(
    info: Info,
    declaration: Listing,
    node: Any = None,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **args: Any,
) -> Connection[Any]:
    """A connection's page: of the whole table, or under ``node`` when the listing has a link.

    Pages under a parent go forward only (``first``/``after``), batched with their siblings.
    """
    context = context_of(info)
    if declaration.permission:
        context.require(declaration.permission)
    target = declaration.target()
    model = _entity(target).model
    context.require(_entity(target).permission)
    page: dict[str, Any] = {"first": first, "after": after, "last": last, "before": before}
    if declaration.link is None or node is None:
        scope = scope_of(context, model, None, {**args, **page})
        return await paginate(
            context,
            select(model).where(*declaration.where(scope)),
            keys=list(declaration.keys(scope)),
            to_node=target.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
        )
    if last is not None or before is not None:
        raise TypeError("pages under a parent go forward only")
    parent = aliased(_entity(type(node)).model, name="parent")
    scope = scope_of(context, model, Scope(parent), {**args, **page})
    statement = select(model).where(declaration.link(scope), *declaration.where(scope))
    return await paginate_per_parent(
        context,
        statement,
        parent=parent.id,
        parent_id=node.row.id,
        keys=list(declaration.keys(scope)),
        to_node=target.from_model,
        batch=("reads", id(declaration), _arguments_key(args), first, after),
        first=first,
        after=after,
    )
