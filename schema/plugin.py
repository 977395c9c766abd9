"""The GraphQL layer as a foundation plugin: core's types, and the ``/graphql`` route."""

from __future__ import annotations

from typing import Any

import click
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from rapport.core.contributions import GraphQLPart, Register
from rapport.core.hookspecs import hookimpl
from rapport.core.plugins import PluginInfo
from rapport.core.runtime import Runtime
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
from rapport.schema.types.insights import CustomerInsightFields, InsightMutations
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
from rapport.schema.types.subscriptions import Subscriptions
from rapport.schema.types.task import CustomerTaskFields, Task, TaskMutations, TaskQueries
from rapport.schema.types.timeline import CustomerTimelineFields
from rapport.schema.types.webhooks import (
    Webhook,
    WebhookDelivery,
    WebhookMutations,
    WebhookQueries,
)
from rapport.schema.types.workspace_settings import (
    WorkspaceSettingsMutations,
    WorkspaceSettingsQueries,
)

plugin_info = PluginInfo(
    name="graphql",
    version="0.1.0",
    description="The GraphQL API over the core, and GraphiQL.",
)

STATIC_URL = "/graphql/static"

CORE_PARTS = (
    GraphQLPart(NodeQueries, types=(Customer, User, ApiKey)),
    GraphQLPart(IdentityQueries, AccessMutations),
    GraphQLPart(WorkspaceSettingsQueries, WorkspaceSettingsMutations),
    GraphQLPart(CustomerQueries, CustomerMutations),
    GraphQLPart(WebhookQueries, WebhookMutations, (Webhook, WebhookDelivery)),
    GraphQLPart(
        mutation=ContactPointMutations,
        types=(ContactPoint,),
        extend={"Customer": CustomerContactFields},
    ),
    GraphQLPart(
        RelationshipQueries,
        RelationshipMutations,
        (Relationship,),
        extend={"Customer": CustomerRelationshipFields},
    ),
    GraphQLPart(
        InteractionQueries,
        InteractionMutations,
        (Interaction,),
        extend={"Customer": CustomerInteractionFields},
    ),
    GraphQLPart(TaskQueries, TaskMutations, (Task,), extend={"Customer": CustomerTaskFields}),
    GraphQLPart(extend={"Customer": CustomerTimelineFields}),
    GraphQLPart(CustomFieldQueries, CustomFieldMutations, (CustomFieldDefinition,)),
    GraphQLPart(AuditQueries, types=(AuditEntry,)),
    GraphQLPart(StatsQueries),
    GraphQLPart(mutation=InsightMutations, extend={"Customer": CustomerInsightFields}),
    GraphQLPart(SearchQueries),
    GraphQLPart(mutation=BulkMutations),
    GraphQLPart(MergeQueries, MergeMutations),
    GraphQLPart(mutation=ImportMutations),
    GraphQLPart(subscription=Subscriptions),
)


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    for part in CORE_PARTS:
        register(part)


@click.command("sdl")
@click.pass_obj
def print_sdl(settings: Any) -> None:
    """Print the GraphQL schema (SDL) of the enabled plugins."""
    click.echo(build_schema(Runtime.create(settings)).as_str())


@hookimpl
def register_commands(register: Register[click.Command]) -> None:
    register(print_sdl)


@hookimpl
def register_routes(register: Register[BaseRoute], runtime: Runtime) -> None:
    schema = build_schema(runtime)
    register(Mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="graphql-static"))
    endpoint = GraphQLEndpoint(schema, runtime, STATIC_URL)
    limited = BodySizeLimit(endpoint, runtime.settings.max_body_bytes)
    register(Route("/graphql", limited, methods=["GET", "POST"]))
    # The same endpoint answers WebSocket subscriptions (graphql-transport-ws).
    register(WebSocketRoute("/graphql", endpoint))
