"""Turn the root fields of a query into one SQL statement that returns their JSON.

The walk follows GraphQL's own rules for collecting fields (aliases, fragments, inline fragments
on the runtime type, ``@include``/``@skip``) and, for each field, the declaration the type or the
field carries (:mod:`rapport.schema.entities`). Whatever it cannot express in SQL raises
:class:`NotCompilable`, and the operation is left to the resolvers: a compiled answer is always
the resolvers' answer, or there is none.

Tenancy, soft delete and every access policy are not written here. Each row source is an ORM
entity (the mapped class or an alias of it), so the session's ``do_orm_execute`` rule adds the
workspace and the policies to every one of them, in every subquery, as it does for any other
statement.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from sqlalchemy import ColumnElement, Select, String, case, func, inspect, literal, null, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter
from strawberry import relay
from strawberry.types.arguments import convert_arguments

from rapport.core.auth import Actor
from rapport.schema.compiled.json_sql import JsonSql
from rapport.schema.entities import (
    READS,
    Caller,
    Entity,
    Expression,
    Listing,
    Reference,
    Scope,
    ToMany,
    ToOne,
    entity_of,
)
from rapport.schema.relay import (
    SortKey,
    after_condition,
    decode_cursor,
    ordering,
    page_size,
    python_type_of,
)

__all__ = ["Computed", "Deferred", "NotCompilable", "ReadCompiler"]

BACKREF = "strawberry-definition"


class NotCompilable(Exception):
    """This operation (or part of it) is read by the resolvers instead."""


class Computed(NotCompilable):
    """A field computed in Python: under a node, only that field is left to the resolvers."""


class Deferred(NamedTuple):
    """A field of a node type the resolvers fill in after the statement, for every row.

    The statement writes, where the field's value goes, an object holding the deferral's
    index under the plan's marker key and the row's global id.
    """

    type_name: str
    key: str
    nodes: list[FieldNode]


class Selected(NamedTuple):
    """A field as selected under a row: its definition, the row, its arguments, its nodes."""

    field: GraphQLField
    parent: Scope | None
    args: dict[str, Any]
    nodes: list[FieldNode]


def _named(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _nullable(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def _strawberry_field(field: GraphQLField) -> Any:
    return (field.extensions or {}).get(BACKREF)


def _origin(graphql_type: GraphQLObjectType) -> Any:
    definition = (graphql_type.extensions or {}).get(BACKREF)
    return getattr(definition, "origin", None)


class ReadCompiler:
    """Compiles one operation for one actor; a new one per request."""

    def __init__(
        self,
        schema: GraphQLSchema,
        strawberry_schema: Any,
        json: JsonSql,
        runtime: Any,
        actor: Actor,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        marker: str,
    ) -> None:
        self.schema, self.json, self.runtime, self.actor = schema, json, runtime, actor
        self.strawberry_schema = strawberry_schema
        self.settings = runtime.settings
        self.fragments, self.variables = fragments, variables
        self._aliases = itertools.count()
        self.marker = marker
        self.deferred: list[Deferred] = []
        # Set when a declaration reads who calls: the statement is then the caller's own.
        self.per_caller = False

    # -- the operation ----------------------------------------------------------------------

    def statement(self, root: GraphQLObjectType, selection: SelectionSetNode) -> Select[Any]:
        """One SELECT whose columns are the JSON text of each root field, in response order."""
        columns = []
        for key, nodes in self.collect(root, [selection]).items():
            name = nodes[0].name.value
            if name == "__typename":
                value: Any = self.json.literal_json(f'"{root.name}"')
            elif name.startswith("__"):
                raise NotCompilable("introspection")
            else:
                value = self.root_field(root.fields[name], nodes)
            columns.append(self.json.as_text(value).label(key))
        return select(*columns)

    def root_field(self, field: GraphQLField, nodes: list[FieldNode]) -> ColumnElement[Any]:
        definition = _strawberry_field(field)
        args = self.arguments(field, nodes[0], definition)
        name = nodes[0].name.value
        if name in ("node", "nodes") and definition is not None and not definition.metadata:
            return self.nodes_by_id(field, nodes, args, single=name == "node")
        declaration = definition.metadata.get(READS) if definition is not None else None
        if declaration is None:
            raise NotCompilable(f"Query.{name} is computed")
        return self.relation(declaration, Selected(field, None, args, nodes))

    # -- GraphQL field collection -----------------------------------------------------------

    def collect(
        self, runtime_type: GraphQLObjectType, selections: Sequence[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, as GraphQL execution collects them."""
        found: dict[str, list[FieldNode]] = {}
        for selection_set in selections:
            if selection_set is not None:
                self._collect(runtime_type, selection_set, found, set())
        return found

    def _collect(
        self,
        runtime_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._matches(condition.name.value, runtime_type):
                    self._collect(runtime_type, selection.selection_set, found, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._matches(fragment.type_condition.name.value, runtime_type):
                    self._collect(runtime_type, fragment.selection_set, found, visited)

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _matches(self, type_name: str, runtime_type: GraphQLObjectType) -> bool:
        if type_name == runtime_type.name:
            return True
        abstract = self.schema.get_type(type_name)
        if isinstance(abstract, GraphQLInterfaceType):
            return any(i.name == type_name for i in runtime_type.interfaces)
        possible = getattr(abstract, "types", None) or ()
        return runtime_type in possible

    def arguments(self, field: GraphQLField, node: FieldNode, definition: Any) -> dict[str, Any]:
        """The field's arguments as its resolver receives them: by Python name, as inputs."""
        values = get_argument_values(field, node, self.variables)
        if definition is None:
            return values
        return convert_arguments(
            values,
            definition.arguments,
            scalar_registry=self.strawberry_schema.schema_converter.scalar_registry,
            config=self.strawberry_schema.config,
        )

    def scope(
        self, row: Any, parent: Scope | None = None, args: Mapping[str, Any] | None = None
    ) -> Scope:
        return Scope(row, parent, args or {}, self.runtime, self.actor.permissions, self._identify)

    def _identify(self) -> Caller:
        self.per_caller = True
        return Caller(self.actor.workspace_id, self.actor.user_id)

    def require(self, permission: str | None) -> None:
        if permission is not None and not self.actor.can(permission):
            raise NotCompilable(f"needs {permission}")

    def declared(self, node_type: Any, type_name: str) -> Entity:
        """The entity a type declares; its reads are left to the resolvers if it has none."""
        entity = entity_of(node_type)
        if entity is None:
            raise NotCompilable(f"{type_name} has no entity declaration")
        return entity

    def alias(self, entity: Entity) -> Any:
        return aliased(entity.model, name=f"r{next(self._aliases)}")

    # -- objects ----------------------------------------------------------------------------

    def object_json(
        self, object_type: GraphQLObjectType, scope: Scope, nodes: list[FieldNode]
    ) -> ColumnElement[Any]:
        entity = self.declared(_origin(object_type), object_type.name)
        self.require(entity.permission)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        selections = [node.selection_set for node in nodes]
        for key, field_nodes in self.collect(object_type, selections).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                pairs.append((key, literal(object_type.name, String())))
                continue
            field = object_type.fields[name]
            try:
                value = self.field_json(object_type, entity, field, scope, field_nodes)
            except Computed:
                if not any(i.name == "Node" for i in object_type.interfaces):
                    raise  # nothing to fetch the row again by: the resolvers read it all
                value = self.deferred_json(object_type, key, scope, field_nodes)
            pairs.append((key, value))
        return self.json.object(pairs)

    def deferred_json(
        self, object_type: GraphQLObjectType, key: str, scope: Scope, nodes: list[FieldNode]
    ) -> ColumnElement[Any]:
        """The stand-in for a computed field: which deferral, and of which row."""
        self.deferred.append(Deferred(object_type.name, key, nodes))
        index = literal(len(self.deferred) - 1)
        row_id = self.json.global_id(object_type.name, scope.row.id)
        return self.json.object([(self.marker, index), ("id", row_id)])

    def field_json(
        self,
        object_type: GraphQLObjectType,
        entity: Entity,
        field: GraphQLField,
        scope: Scope,
        nodes: list[FieldNode],
    ) -> ColumnElement[Any]:
        definition = _strawberry_field(field)
        name = nodes[0].name.value
        declaration = definition.metadata.get(READS) if definition is not None else None
        if declaration is not None:
            args = self.arguments(field, nodes[0], definition)
            return self.relation(declaration, Selected(field, scope, args, nodes))
        if name == "id" and any(i.name == "Node" for i in object_type.interfaces):
            return self.json.global_id(object_type.name, scope.row.id)
        python_name = definition.python_name if definition is not None else name
        source = entity.fields.get(python_name)
        if isinstance(source, Reference):
            key = getattr(scope.row, source.column)
            return case((key.is_(None), null()), else_=self.json.global_id(source.type_name, key))
        column = entity.column(python_name, scope)
        if column is None:
            raise Computed(f"{object_type.name}.{name} is computed")
        return self.scalar(field.type, column)

    def scalar(self, graphql_type: Any, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A column as the JSON the type's serializer writes."""
        json = self.json
        graphql_type = _nullable(graphql_type)
        if isinstance(graphql_type, GraphQLList):
            # Lists of scalars are JSON columns (tags).
            return json.stored_json(column)
        if isinstance(graphql_type, GraphQLEnumType):
            # Strawberry keeps the Python enum's values as the GraphQL values.
            whens = [
                (column == getattr(value.value, "value", value.value), name)
                for name, value in graphql_type.values.items()
            ]
            return case(*whens, else_=null())
        if not isinstance(graphql_type, GraphQLScalarType):
            raise NotCompilable(f"{graphql_type} is not a scalar")
        name = graphql_type.name
        if name in ("String", "ID", "Int"):
            return column
        if name == "Float":
            return json.float(column)
        if name == "Boolean":
            return json.boolean(column)
        if name == "DateTime":
            return json.datetime(column)
        if name == "Date":
            return json.date(column)
        if name == "Decimal":
            return json.decimal(column, getattr(column.type, "scale", None))
        if name == "JSON":
            return json.stored_json(column)
        raise NotCompilable(f"no SQL for the scalar {name}")

    # -- relations --------------------------------------------------------------------------

    def relation(self, declaration: Any, at: Selected) -> ColumnElement[Any]:
        if isinstance(declaration, ToOne):
            return self.to_one(declaration, at)
        if isinstance(declaration, ToMany):
            return self.to_many(declaration, at)
        if isinstance(declaration, Listing):
            return self.listing(declaration, at)
        if isinstance(declaration, Expression):
            row = at.parent
            if row is None:
                raise NotCompilable("an expression needs a row")
            value = declaration.value(self.scope(row.row, row.parent, at.args))
            return self.scalar(at.field.type, value)
        raise NotCompilable(f"unknown declaration {declaration!r}")

    def _row(self, entity: Entity, parent: Scope | None) -> Any:
        # A root list reads the mapped class itself, so the filter maps written against it
        # apply as they are; everything under it reads a fresh alias.
        return entity.model if parent is None else self.alias(entity)

    def _adapt(self, row: Any, entity: Entity, expression: Any) -> Any:
        if row is entity.model:
            return expression
        # An ORM attribute (Opportunity.name) is adapted through the column it stands for.
        clause = getattr(expression, "__clause_element__", None)
        return ClauseAdapter(inspect(row).selectable).traverse(
            clause() if clause is not None else expression
        )

    def _object_type(self, field: GraphQLField) -> GraphQLObjectType:
        target = _named(field.type)
        if not isinstance(target, GraphQLObjectType):
            raise NotCompilable(f"{target} is abstract")
        return target

    def to_one(self, declaration: ToOne, at: Selected) -> ColumnElement[Any]:
        field, parent, args, nodes = at
        target_type = self._object_type(field)
        entity = self.declared(declaration.target(), target_type.name)
        holder = self.scope(parent.row if parent else None, parent.parent if parent else None, args)
        key = declaration.key(holder)
        if key is None:
            return null()
        shows_deleted = declaration.shows_deleted(holder)
        return self.by_id(
            entity, target_type, self.scope(None, parent, args), key, nodes, shows_deleted
        )

    def by_id(
        self,
        entity: Entity,
        object_type: GraphQLObjectType,
        scope: Scope,
        key: Any,
        nodes: list[FieldNode],
        shows_deleted: bool = False,
    ) -> ColumnElement[Any]:
        """The JSON of the one row of ``entity`` with id ``key`` (null if none is visible).

        ``scope`` gives the row's parent and arguments; the row itself is a fresh alias.
        """
        row = self.alias(entity)
        value = self.object_json(object_type, self.scope(row, scope.parent, scope.args), nodes)
        visible = [] if shows_deleted else entity.visible(row)
        found = select(value).select_from(row).where(row.id == key, *visible)
        return self.json.nested(found.correlate_except(row).scalar_subquery())

    def to_many(self, declaration: ToMany, at: Selected) -> ColumnElement[Any]:
        field, parent, args, nodes = at
        self.require(declaration.permission)
        target_type = self._object_type(field)
        entity = (
            declaration.row()
            if declaration.row
            else self.declared(declaration.target(), target_type.name)
        )
        row = self.alias(entity)
        scope = self.scope(row, parent, args)
        conditions = [declaration.link(scope), *declaration.where(scope)]
        limit = declaration.limit(scope)
        if limit is not None and self.json.orders_inside_aggregates:
            # The first rows are chosen from whole rows, and only those are written out as
            # JSON: a sort under a LIMIT computes its output for every row it sorts. (Not on
            # SQLite, whose parser has a depth limit this extra level can reach.)
            chosen = (
                select(row)
                .where(*conditions)
                .order_by(*declaration.order(scope))
                .limit(limit)
                .correlate_except(row)
                .subquery()
            )
            row = aliased(entity.model, chosen, name=f"r{next(self._aliases)}")
            scope = self.scope(row, parent, args)
            conditions, limit = [], None
        order = list(declaration.order(scope))
        value = self.object_json(target_type, scope, nodes)
        if self.json.orders_inside_aggregates:
            # The aggregate sorts its rows itself: no subquery, no row numbers.
            items = self.json.aggregate(value, order)
            direct = select(items).select_from(row).where(*conditions).correlate_except(row)
            return self.json.nested(direct.scalar_subquery())
        position = func.row_number().over(order_by=order)
        rows = (
            select(value.label("value"), position.label("position"))
            .select_from(row)
            .where(*conditions)
            .order_by(*order)
        )
        if limit is not None:
            rows = rows.limit(limit)
        listed = rows.correlate_except(row).subquery()
        items = self.json.aggregate(self.json.nested(listed.c.value), listed.c.position)
        return self.json.nested(select(items).select_from(listed).scalar_subquery())

    def listing(self, declaration: Listing, at: Selected) -> ColumnElement[Any]:
        """A connection: edges, nodes, pageInfo and totalCount from one page subquery."""
        field, parent, args, nodes = at
        self.require(declaration.permission)
        connection_type = self._object_type(field)
        edge_type = _named(connection_type.fields["edges"].type)
        node_type = _named(edge_type.fields["node"].type)
        entity = self.declared(declaration.target(), node_type.name)
        self.require(entity.permission)
        row = self._row(entity, parent)
        scope = self.scope(row, parent, args)
        keys = [
            SortKey(self._adapt(row, entity, key.expression), key.descending)
            for key in declaration.keys(scope)
        ]
        conditions = [self._adapt(row, entity, c) for c in declaration.where(scope)]
        if declaration.link is not None:
            conditions.append(declaration.link(scope))
        # A refused size or cursor raises here; the resolvers then report it in their words.
        size = page_size(self, args.get("first"), args.get("last"))
        after, before = args.get("after"), args.get("before")
        bounds = []
        if after is not None:
            bounds.append(after_condition(keys, decode_cursor(after, keys, "after"), True))
        if before is not None:
            bounds.append(after_condition(keys, decode_cursor(before, keys, "before"), False))
        forward = args.get("last") is None
        order = ordering(keys, forward)

        parts = self.collect(connection_type, [node.selection_set for node in nodes])
        page_columns: dict[str, Any] = {}
        needs_cursor = False
        plans: list[tuple[str, str, Any]] = []
        for key, field_nodes in parts.items():
            name = field_nodes[0].name.value
            if name in ("edges", "nodes"):
                sub_type = edge_type if name == "edges" else node_type
                inner = self.collect(sub_type, [n.selection_set for n in field_nodes])
                if name == "edges":
                    node_nodes = [
                        n for k, ns in inner.items() for n in ns if n.name.value == "node"
                    ]
                    needs_cursor |= any(ns[0].name.value == "cursor" for ns in inner.values())
                    label = f"n{len(page_columns)}"
                    if node_nodes:
                        page_columns[label] = self.object_json(node_type, scope, node_nodes)
                    plans.append((key, name, (inner, label)))
                else:
                    label = f"n{len(page_columns)}"
                    page_columns[label] = self.object_json(node_type, scope, field_nodes)
                    plans.append((key, name, label))
            elif name == "pageInfo":
                inner = self.collect(
                    _named(connection_type.fields["pageInfo"].type),
                    [n.selection_set for n in field_nodes],
                )
                needs_cursor |= any(
                    ns[0].name.value in ("startCursor", "endCursor") for ns in inner.values()
                )
                plans.append((key, name, inner))
            elif name in ("totalCount", "__typename"):
                plans.append((key, name, None))
            else:
                raise NotCompilable(f"{connection_type.name}.{name}")

        position = func.row_number().over(order_by=order).label("position")
        page_select = [position, *(value.label(label) for label, value in page_columns.items())]
        if needs_cursor:
            cursor_values = [self.cursor_value(key.expression) for key in keys]
            page_select.append(
                self.json.base64url(self.json.json_text_array(cursor_values)).label("cursor")
            )
        page: Any = (
            select(*page_select)
            .select_from(row)
            .where(*conditions, *bounds)
            .order_by(*order)
            .limit(size + 1)
        )
        page = page.correlate_except(row).subquery()
        source = page
        if not forward:
            source = select(page).order_by(page.c.position.desc()).subquery()
        kept = source.c.position <= size
        order_key = source.c.position if forward else source.c.position.desc()
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, name, plan in plans:
            if name == "edges":
                inner, label = plan
                edge_pairs: list[tuple[str, ColumnElement[Any]]] = []
                for edge_key, edge_nodes in inner.items():
                    edge_field = edge_nodes[0].name.value
                    if edge_field == "node":
                        edge_pairs.append((edge_key, self.json.nested(source.c[label])))
                    elif edge_field == "cursor":
                        edge_pairs.append((edge_key, source.c.cursor))
                    else:
                        edge_pairs.append((edge_key, literal(edge_type.name, String())))
                pairs.append(
                    (key, self.json.aggregate(self.json.object(edge_pairs), order_key, kept))
                )
            elif name == "nodes":
                pairs.append(
                    (key, self.json.aggregate(self.json.nested(source.c[plan]), order_key, kept))
                )
            elif name == "pageInfo":
                pairs.append((key, self.page_info(plan, source, size, forward, after, before)))
            elif name == "totalCount":
                counted = (
                    select(func.count()).select_from(row).where(*conditions).correlate_except(row)
                )
                pairs.append((key, counted.scalar_subquery()))
            else:
                pairs.append((key, literal(connection_type.name, String())))
        result = select(self.json.object(pairs))
        if any(name in ("edges", "nodes", "pageInfo") for _, name, _ in plans):
            # Aggregates over the page: one row even when the page is empty.
            result = result.select_from(source)
        return self.json.nested(result.scalar_subquery())

    def page_info(
        self,
        parts: dict[str, list[FieldNode]],
        page: Any,
        size: int,
        forward: bool,
        after: str | None,
        before: str | None,
    ) -> ColumnElement[Any]:
        json = self.json
        more = func.count() > size
        first_cursor = func.min(case((page.c.position == 1, page.c.cursor)))
        last_cursor = json.last_by_position(page.c.position, page.c.cursor, size)
        values = {
            "hasNextPage": json.boolean(more)
            if forward
            else json.boolean(literal(before is not None)),
            "hasPreviousPage": json.boolean(more)
            if not forward
            else json.boolean(literal(after is not None)),
            "startCursor": first_cursor if forward else last_cursor,
            "endCursor": last_cursor if forward else first_cursor,
        }
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, nodes in parts.items():
            name = nodes[0].name.value
            if name == "__typename":
                pairs.append((key, literal("PageInfo", String())))
            else:
                pairs.append((key, values[name]))
        return json.object(pairs)

    def cursor_value(self, expression: Any) -> ColumnElement[Any]:
        """A sort value as :func:`rapport.schema.relay.encode_cursor` writes it."""
        python_type = python_type_of(expression)
        if python_type is dt.datetime:
            return self.json.datetime(expression)
        if python_type is dt.date:
            return self.json.date(expression)
        if python_type is uuid.UUID:
            return self.json.uuid(expression)
        if python_type is decimal.Decimal:
            return self.json.decimal(expression, getattr(expression.type, "scale", None))
        if python_type is bool:
            return self.json.boolean(expression)
        return expression

    # -- node(id:) and nodes(ids:) ----------------------------------------------------------

    def nodes_by_id(
        self, field: GraphQLField, nodes: list[FieldNode], args: dict[str, Any], single: bool
    ) -> ColumnElement[Any]:
        ids: list[relay.GlobalID] = [args["id"]] if single else list(args["ids"])
        if not single and len(ids) > self.settings.max_page_size:
            raise NotCompilable("too many ids")
        values = [self.node_json(global_id, nodes) for global_id in ids]
        if single:
            return values[0]
        return self.json.array(values)

    def node_json(self, global_id: relay.GlobalID, nodes: list[FieldNode]) -> ColumnElement[Any]:
        node_type = self.schema.get_type(global_id.type_name)
        if not isinstance(node_type, GraphQLObjectType) or not any(
            i.name == "Node" for i in node_type.interfaces
        ):
            return null()
        entity = self.declared(_origin(node_type), node_type.name)
        self.require(entity.permission)
        try:
            pk = uuid.UUID(str(global_id.node_id))
        except ValueError:
            return null()
        return self.by_id(entity, node_type, self.scope(None), pk, nodes)
