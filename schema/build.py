"""Assemble the schema from what the enabled plugins contribute (core's GraphQL included).

Fields a plugin adds onto an existing type (``Customer.opportunities``) are joined in
:meth:`RapportSchema.get_fields`, per schema instance, so two apps with different plugins in
one process each get their own schema and no class is changed in place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.add_validation_rules import AddValidationRules
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from rapport.core.plugins import PluginError
from rapport.core.runtime import Runtime
from rapport.schema.context import Info
from rapport.schema.error_reasons import reason_fields
from rapport.schema.extensions import NamedOperation, OperationSession, RequireActor
from rapport.schema.failures import CodedErrors, is_bug
from rapport.schema.limits import limit_rules
from rapport.schema.scalars import SCALAR_OVERRIDES

__all__ = ["RapportSchema", "build_schema"]


class RapportSchema(strawberry.Schema):
    def __init__(self, *args: Any, extra_fields: dict[str, list[StrawberryField]], **kwargs: Any):
        self._extra_fields = extra_fields
        super().__init__(*args, **kwargs)

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        return [*type_definition.fields, *self._extra_fields.get(type_definition.name, [])]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Only failures nobody expected are worth a log line (with their stack): a refused
        # query or a missing permission is the client's business, and logging each would let
        # any client fill the logs.
        unexpected = [error for error in errors if is_bug(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def _merge_root(name: str, parts: list[tuple[str, type]]) -> type:
    owners: dict[str, str] = {}
    for plugin, part in parts:
        for field in part.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if field.name in owners:
                raise PluginError(
                    f"plugins {owners[field.name]!r} and {plugin!r} both add {name}.{field.name}"
                )
            owners[field.name] = plugin
    # Later plugins come first in the MRO; names are unique, so order only affects the SDL.
    return strawberry.type(type(name, tuple(part for _, part in reversed(parts)), {}))


def build_schema(runtime: Runtime) -> RapportSchema:
    queries: list[tuple[str, type]] = []
    mutations: list[tuple[str, type]] = []
    subscriptions: list[tuple[str, type]] = []
    types: list[type] = []
    extra_fields: dict[str, list[StrawberryField]] = defaultdict(list)
    for found in runtime.host.collect("register_graphql"):
        part = found.item
        if part.query is not None:
            queries.append((found.plugin, part.query))
        if part.mutation is not None:
            mutations.append((found.plugin, part.mutation))
        if part.subscription is not None:
            subscriptions.append((found.plugin, part.subscription))
        types.extend(part.types)
        for type_name, extension in part.extend.items():
            existing = {f.name for f in extra_fields[type_name]}
            for field in extension.__strawberry_definition__.fields:
                if field.name in existing:
                    raise PluginError(f"two plugins add the field {type_name}.{field.name}")
                extra_fields[type_name].append(field)
    extra_fields["UserError"].extend(reason_fields(runtime.host))
    settings = runtime.settings
    rules = limit_rules(settings)
    extensions: list[Any] = [
        RequireActor,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        ParserCache,
        NamedOperation,
        lambda: AddValidationRules(list(rules)),
        ValidationCache,
        OperationSession,
        CodedErrors,
    ]
    return RapportSchema(
        query=_merge_root("Query", queries),
        mutation=_merge_root("Mutation", mutations) if mutations else None,
        subscription=_merge_root("Subscription", subscriptions) if subscriptions else None,
        types=types,
        extensions=extensions,
        config=StrawberryConfig(relay_max_results=settings.max_page_size, info_class=Info),
        extra_fields=dict(extra_fields),
        scalar_overrides=SCALAR_OVERRIDES,
    )
