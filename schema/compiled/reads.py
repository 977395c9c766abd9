"""The compiled read path: plans cached per document and access, JSON straight from SQL.

A query whose root fields are all data (declared through :mod:`rapport.schema.entities`) is
answered by one statement; its JSON text goes into the response as the database wrote it. Any
other operation, and any query the compiler cannot express, runs through strawberry as before,
so both paths give the same answer and errors are always the resolvers' errors.

Parse, validation (the limits included) and the compilability of the operation are cached per
(document, operation name, access shape). The access shape is what compilation depends on about
the caller: its permissions and which access policies apply to it. The policies' conditions
themselves are bound when the statement runs, by the session, so a plan never carries another
caller's rows; a caller whose shape changes gets a new plan.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from sqlalchemy import Select, event
from sqlalchemy.exc import DBAPIError
from strawberry.types import ExecutionResult

from rapport.core.auth import Actor
from rapport.core.db import utcnow
from rapport.core.runtime import Runtime
from rapport.core.tenancy import RowPolicies
from rapport.schema.compiled.deferred import follow_up, splice, stand_ins
from rapport.schema.compiled.json_sql import json_sql_for
from rapport.schema.compiled.lru import MISSING, Lru
from rapport.schema.compiled.planner import Deferred, NotCompilable, ReadCompiler
from rapport.schema.context import RequestContext
from rapport.schema.limits import limit_rules

__all__ = ["CompiledReads", "Plan"]


logger = logging.getLogger(__name__)


def today() -> Any:
    return utcnow().date()


PLAN_CACHE_SIZE = 512
STATEMENT_CACHE_SIZE = 256
RENDERED_CACHE_SIZE = 1024
# Cache markers: a key never seen, and a statement kept per caller.
PER_CALLER = object()
# One statement reads one snapshot by itself: no BEGIN and ROLLBACK around it.
AUTOCOMMIT = "AUTOCOMMIT"


class Compiled(NamedTuple):
    """A statement, and the computed fields under its nodes the resolvers fill in after it."""

    statement: Select[Any]
    deferred: tuple[Deferred, ...]
    per_caller: bool = False


@dataclass(frozen=True)
class Plan:
    """A parsed, validated query operation and its fragments.

    ``constant`` is the whole answer of an operation that reads no data (``{ __typename }``,
    what clients send to check they are connected): no statement is run for it.
    """

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    constant: dict[str, Any] | None = None


def _constant_answer(operation: OperationDefinitionNode, root: str) -> dict[str, Any] | None:
    """The data of a selection of nothing but ``__typename`` fields, without directives."""
    data: dict[str, Any] = {}
    for selection in operation.selection_set.selections:
        if not (
            isinstance(selection, FieldNode)
            and selection.name.value == "__typename"
            and not selection.directives
        ):
            return None
        data[(selection.alias or selection.name).value] = root
    return data


class CompiledReads:
    def __init__(self, schema: Any, runtime: Runtime) -> None:
        self.schema = schema
        self.graphql_schema = schema._schema
        self.runtime = runtime
        self.json = json_sql_for(runtime.engine.dialect.name)
        self.rules = [*specified_rules, *limit_rules(runtime.settings)]
        self._plans: Lru[tuple[Any, ...], Plan | None] = Lru(PLAN_CACHE_SIZE)
        self._statements: Lru[tuple[Any, ...], Any] = Lru(STATEMENT_CACHE_SIZE)
        # Unguessable, so that no stored JSON can pass for a stand-in of a deferred field.
        self.marker = f"rapport-deferred-{secrets.token_hex(8)}"
        self._rendered: Lru[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = Lru(RENDERED_CACHE_SIZE)
        self.statements_run = 0
        self.deferred_runs = 0

    @property
    def enabled(self) -> bool:
        return self.json is not None and self.runtime.settings.compiled_reads

    @staticmethod
    def access_shape(actor: Actor, policies: RowPolicies) -> tuple[Any, ...]:
        """What a plan depends on about its caller: permissions and which policies apply."""
        return (actor.permissions, tuple(sorted(model.__name__ for model, _ in policies)))

    def plan(self, key: tuple[Any, ...]) -> Plan | None:
        """The plan for (document, operation name, access shape), made on first use."""
        found = self._plans.get(key)
        if found is not MISSING:
            return cast(Plan | None, found)
        plan = self._make_plan(key[0], key[1])
        self._plans.put(key, plan)
        return plan

    def _make_plan(self, query: str, operation_name: str | None) -> Plan | None:
        try:
            document = parse(query, max_tokens=self.runtime.settings.max_tokens)
        except GraphQLError:
            return None
        if validate(self.graphql_schema, document, self.rules):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return None
        fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        return Plan(
            operation, fragments, _constant_answer(operation, self.graphql_schema.query_type.name)
        )

    def statement(
        self, plan: Plan, shape_key: tuple[Any, ...], actor: Actor, variables: dict[str, Any]
    ) -> tuple[tuple[Any, ...] | None, Compiled | None]:
        """The statement for these variables, and its cache key: compiled once, then reused.

        The key holds the day because declarations may read it (age bands are counted to
        today); everything else a statement depends on is in the plan key or bound at run time,
        except who calls: a statement whose declarations read it is kept per caller, under its
        shared key's marker.
        """
        try:
            key: tuple[Any, ...] = (
                shape_key,
                orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
                today(),
            )
        except TypeError:
            return None, self._compile(plan, actor, variables)
        found = self._statements.get(key)
        if found is PER_CALLER:
            key = (key, actor.workspace_id, actor.user_id)
            found = self._statements.get(key)
        if found is not MISSING:
            return key, cast(Compiled | None, found)
        compiled = self._compile(plan, actor, variables)
        if compiled is not None and compiled.per_caller:
            self._statements.put(key, PER_CALLER)
            key = (key, actor.workspace_id, actor.user_id)
        self._statements.put(key, compiled)
        return key, compiled

    def _compile(self, plan: Plan, actor: Actor, variables: dict[str, Any]) -> Compiled | None:
        operation = plan.operation
        coerced = get_variable_values(
            self.graphql_schema, operation.variable_definitions or (), variables
        )
        if isinstance(coerced, list):
            return None
        assert self.json is not None
        compiler = ReadCompiler(
            self.graphql_schema,
            self.schema,
            self.json,
            self.runtime,
            actor,
            plan.fragments,
            coerced,
            self.marker,
        )
        try:
            statement = compiler.statement(self.graphql_schema.query_type, operation.selection_set)
            return Compiled(statement, tuple(compiler.deferred), compiler.per_caller)
        except NotCompilable:
            return None
        except Exception:
            # An argument a declaration refuses (a bad cursor, a filter on a wrong kind): the
            # resolvers run the same declaration and report it in their own words.
            logger.debug("compiled read left to the resolvers", exc_info=True)
            return None

    async def execute(
        self,
        actor: Actor | None,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult | None:
        """The compiled answer, or None where the resolvers must answer."""
        if actor is None or not query or not self.enabled:
            return None
        policies = self.runtime.row_policies(actor)
        shape_key = (query, operation_name, self.access_shape(actor, policies))
        plan = self.plan(shape_key)
        if plan is None:
            return None
        if plan.constant is not None:
            return ExecutionResult(data=dict(plan.constant), errors=None)
        statement_key, compiled = self.statement(plan, shape_key, actor, variables or {})
        if compiled is None:
            return None
        statement = compiled.statement
        try:
            row = await self._run(statement, statement_key, actor, policies)
        except DBAPIError as exc:
            # A statement the database refuses to run (SQLite's parser has a depth limit that
            # deep policies inside deep selections can reach): the resolvers read it instead.
            logger.warning("compiled read not run, left to the resolvers: %s", exc.orig)
            return None
        self.statements_run += 1
        keys = [column.name for column in statement.selected_columns]
        if compiled.deferred:
            return await self._with_deferred(plan, compiled, actor, variables or {}, keys, row)
        data = {
            key: None if value is None else orjson.Fragment(value)
            for key, value in zip(keys, row, strict=True)
        }
        return ExecutionResult(data=data, errors=None)

    async def _with_deferred(
        self,
        plan: Plan,
        compiled: Compiled,
        actor: Actor,
        variables: dict[str, Any],
        keys: list[str],
        row: Any,
    ) -> ExecutionResult | None:
        """The answer once the resolvers have filled in the deferred fields (None: they erred)."""
        data = {
            key: None if value is None else orjson.loads(value)
            for key, value in zip(keys, row, strict=True)
        }
        found = list(stand_ins(data, self.marker))
        if found:
            # Each row once, in the order met (a dict keeps both).
            ids: dict[int, dict[str, None]] = {index: {} for index in range(len(compiled.deferred))}
            for _container, _key, index, global_id in found:
                ids[index][global_id] = None
            wanted = {index: list(row_ids) for index, row_ids in ids.items()}
            answers = await self._resolve_deferred(plan, compiled, actor, variables, wanted)
            if answers is None or not splice(found, compiled.deferred, answers):
                return None
            self.deferred_runs += 1
        return ExecutionResult(data=data, errors=None)

    async def _resolve_deferred(
        self,
        plan: Plan,
        compiled: Compiled,
        actor: Actor,
        variables: dict[str, Any],
        wanted: dict[int, list[str]],
    ) -> dict[int, dict[str, Any]] | None:
        """Each deferral's nodes by global id, read by the resolvers in one operation."""
        text, id_names, used = follow_up(plan.operation, plan.fragments, compiled.deferred)
        values = {name: variables[name] for name in used if name in variables}
        values.update({name: wanted[index] for index, name in enumerate(id_names)})
        result = await self.schema.execute(
            text,
            variable_values=values,
            context_value=RequestContext(runtime=self.runtime, actor=actor),
            operation_name="Deferred",
        )
        if result.errors or result.data is None:
            return None
        return {
            index: dict(zip(ids, result.data[f"d{index}"], strict=True))
            for index, ids in wanted.items()
        }

    async def _run(
        self,
        statement: Select[Any],
        statement_key: tuple[Any, ...] | None,
        actor: Actor,
        policies: RowPolicies,
    ) -> Any:
        """The statement's one row, read through the caller's scoped session.

        The first run goes through the ORM, whose ``do_orm_execute`` rule adds the workspace
        and the policies; the SQL and parameters it sent are kept for this statement and this
        caller, whose policies are a function of who they are, and later runs send them again
        as they are: rebuilding and rendering a statement of a few hundred nodes costs more
        than the database takes to answer it.
        """
        render_key = None if statement_key is None else (statement_key, actor)
        rendered = self._rendered.get(render_key) if render_key is not None else MISSING
        if isinstance(rendered, tuple):
            # The session's work is in the SQL already: a bare connection sends it.
            async with self.runtime.engine.connect() as bare:
                bare = await bare.execution_options(isolation_level=AUTOCOMMIT)
                return (await bare.exec_driver_sql(*rendered)).one()
        async with self.runtime.session_for(actor, policies) as session:
            connection = await session.connection(execution_options={"isolation_level": AUTOCOMMIT})
            sent: list[tuple[str, tuple[Any, ...]]] = []

            def keep(_c: Any, _cursor: Any, sql: str, parameters: Any, *_rest: Any) -> None:
                sent.append((sql, tuple(parameters)))

            driver_connection = connection.sync_connection
            event.listen(driver_connection, "before_cursor_execute", keep)
            try:
                row = (await session.execute(statement)).one()
            finally:
                event.remove(driver_connection, "before_cursor_execute", keep)
        if render_key is not None and len(sent) == 1:
            self._rendered.put(render_key, sent[0])
        return row
