"""The GraphQL layer as a foundation plugin: core's types, and the ``/graphql`` route."""

from __future__ import annotations

from typing import Any

import click
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rapport.core.hookspecs import hookimpl
from rapport.core.plugins import PluginInfo
from rapport.schema.build import build_schema
from rapport.schema.http import STATIC_DIR, BodySizeLimit, GraphQLEndpoint
from rapport.schema.types.audit import AuditEntry, AuditQueries
from rapport.schema.types.bulk import BulkMutations
from rapport.schema.types.contact_point import (
    ContactPoint,
    ContactPointMutations,
    CustomerContactFields,
)
from rapport.schema.types.custom_field import (
    CustomFieldDefinition,
    CustomFieldMutations,
    CustomFieldQueries,
)
from rapport.schema.types.customer import Customer, CustomerMutations, CustomerQueries
from rapport.schema.types.identity import AccessMutations, ApiKey, IdentityQueries, User
from rapport.schema.types.imports import ImportMutations
from rapport.schema.types.interaction import (
    CustomerInteractionFields,
    Interaction,
    InteractionMutations,
    InteractionQueries,
)
from rapport.schema.types.merge import MergeMutations, MergeQueries
from rapport.schema.types.node import NodeQueries
from rapport.schema.types.relationship import (
    CustomerRelationshipFields,
    Relationship,
    RelationshipMutations,
    RelationshipQueries,
)
from rapport.schema.types.search import SearchQueries
from rapport.schema.types.stats import StatsQueries
from rapport.schema.types.task import CustomerTaskFields, Task, TaskMutations, TaskQueries
from rapport.schema.types.timeline import CustomerTimelineFields
from rapport.schema.types.webhooks import Webhook, WebhookMutations, WebhookQueries

plugin_info = PluginInfo(
    name="graphql",
    version="0.1.0",
    description="The GraphQL API over the core, and GraphiQL.",
)

STATIC_URL = "/graphql/static"


@hookimpl
def register_graphql(register: Any) -> None:
    register(query=NodeQueries, types=[Customer, User, ApiKey])
    register(query=IdentityQueries, mutation=AccessMutations)
    register(query=CustomerQueries, mutation=CustomerMutations)
    register(query=WebhookQueries, mutation=WebhookMutations, types=[Webhook])
    register(
        mutation=ContactPointMutations,
        types=[ContactPoint],
        extend={"Customer": CustomerContactFields},
    )
    register(
        query=RelationshipQueries,
        mutation=RelationshipMutations,
        types=[Relationship],
        extend={"Customer": CustomerRelationshipFields},
    )
    register(
        query=InteractionQueries,
        mutation=InteractionMutations,
        types=[Interaction],
        extend={"Customer": CustomerInteractionFields},
    )
    register(
        query=TaskQueries,
        mutation=TaskMutations,
        types=[Task],
        extend={"Customer": CustomerTaskFields},
    )
    register(extend={"Customer": CustomerTimelineFields})
    register(query=CustomFieldQueries, mutation=CustomFieldMutations, types=[CustomFieldDefinition])
    register(query=AuditQueries, types=[AuditEntry])
    register(query=StatsQueries)
    register(query=SearchQueries)
    register(mutation=BulkMutations)
    register(query=MergeQueries, mutation=MergeMutations)
    register(mutation=ImportMutations)


@click.command("sdl")
@click.pass_obj
def print_sdl(settings: Any) -> None:
    """Print the GraphQL schema (SDL) of the enabled plugins."""
    from rapport.core.runtime import Runtime

    click.echo(build_schema(Runtime.create(settings)).as_str())


@hookimpl
def register_commands(register: Any) -> None:
    register(print_sdl)


@hookimpl
def register_routes(register: Any, runtime: Any) -> None:
    schema = build_schema(runtime)
    register(Mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="graphql-static"))
    endpoint = GraphQLEndpoint(schema, runtime, STATIC_URL)
    limited = BodySizeLimit(endpoint, runtime.settings.max_body_bytes)
    register(Route("/graphql", limited, methods=["GET", "POST"]))
