"""The GraphQL layer as a foundation plugin: core's types, and the ``/graphql`` route."""

from __future__ import annotations

from typing import Any

import click
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rapport.core.hookspecs import hookimpl
from rapport.core.plugins import PluginInfo
from rapport.schema.build import build_schema
from rapport.schema.http import STATIC_DIR, GraphQLEndpoint
from rapport.schema.types.bulk import BulkMutations
from rapport.schema.types.customer import Customer, CustomerMutations, CustomerQueries
from rapport.schema.types.identity import IdentityQueries, User
from rapport.schema.types.imports import ImportMutations
from rapport.schema.types.merge import MergeMutations, MergeQueries
from rapport.schema.types.node import NodeQueries
from rapport.schema.types.search import SearchQueries

plugin_info = PluginInfo(
    name="graphql",
    version="0.1.0",
    description="The GraphQL API over the core, and GraphiQL.",
)

STATIC_URL = "/graphql/static"


@hookimpl
def register_graphql(register: Any) -> None:
    register(query=NodeQueries, types=[Customer, User])
    register(query=IdentityQueries)
    register(query=CustomerQueries, mutation=CustomerMutations)
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
    register(Route("/graphql", endpoint, methods=["GET", "POST"]))
