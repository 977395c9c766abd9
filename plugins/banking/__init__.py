"""Banking: relationship managers and their books of business, households, accounts, risk
ratings, key clients, scorecards and training, for banks that run a relationship-manager model.

Everything is contributed through the plugin hooks; the access rules of the relationship
manager and team lead roles live in :mod:`.access` and hold for every route.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.core import DomainEvent, PluginInfo, hookimpl
from rapport.plugins.banking import access
from rapport.plugins.banking.jobs import REVIEW_JOB_SECONDS, raise_overdue_reviews
from rapport.plugins.banking.permissions import EVENT_TYPES, PERMISSIONS, ROLES

plugin_info = PluginInfo(
    name="banking",
    version="0.1.0",
    description="Relationship managers, books of business, households, accounts, ratings, "
    "key clients, scorecards and training.",
)


@hookimpl
def register_migrations(register: Any) -> None:
    register("banking", Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_roles(register: Any) -> None:
    for name, (description, inherits) in ROLES.items():
        register(name, description, inherits=inherits)


@hookimpl
def register_permissions(register: Any) -> None:
    for name, (description, roles) in PERMISSIONS.items():
        register(name, description, roles=roles)


@hookimpl
def register_access_policies(register: Any) -> None:
    access.register_policies(register)


@hookimpl
def register_customer_links(register: Any) -> None:
    for model in access.CUSTOMER_LINKED:
        register(model)


@hookimpl
def register_relationship_types(register: Any) -> None:
    register("guarantor_of", "guarantor of", "guaranteed by")
    register("beneficial_owner_of", "beneficial owner of", "beneficially owned by")


@hookimpl
def register_event_types(register: Any) -> None:
    for name, description in EVENT_TYPES.items():
        register(name, description)


@hookimpl
def register_jobs(register: Any) -> None:
    register("banking.overdue_reviews", REVIEW_JOB_SECONDS, raise_overdue_reviews)


@hookimpl
def register_graphql(register: Any) -> None:
    from rapport.plugins.banking.schema import register_schema

    register_schema(register)


@hookimpl
def register_demo_data(register: Any) -> None:
    from rapport.plugins.banking.demo import load_demo

    register("banking", load_demo)


@hookimpl
async def before_commit(event: DomainEvent, session: Any) -> None:
    if event.name == "customer.created":
        from rapport.plugins.banking.services.assignments import assign_creator

        await assign_creator(event, session)
    elif event.name == "customer.merged":
        from rapport.plugins.banking.services.merges import repoint_merged_customers

        await repoint_merged_customers(event, session)
