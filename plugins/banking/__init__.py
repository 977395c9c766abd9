"""Banking: relationship managers and their books of business, households, accounts, risk
ratings, key clients, scorecards and training, for banks that run a relationship-manager model.

Everything is contributed through the plugin hooks; the access rules of the relationship
manager and team lead roles live in :mod:`.access` and hold for every route.
"""

from __future__ import annotations

from pathlib import Path

from rapport.core import (
    AccessPolicy,
    ChurnSignal,
    CustomerCreated,
    CustomerLink,
    DemoData,
    DomainEvent,
    ErrorCodes,
    EventHandler,
    EventType,
    GraphQLPart,
    Job,
    MigrationBranch,
    Operation,
    Permission,
    PluginInfo,
    Register,
    RelationshipType,
    Role,
    ValueSource,
    hookimpl,
)
from rapport.plugins.banking import access
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.events import BANKING_EVENT_TYPES
from rapport.plugins.banking.insights import BANKING_CHURN_SIGNALS, BANKING_VALUE_SOURCES
from rapport.plugins.banking.jobs import REVIEW_JOB_SECONDS, raise_overdue_reviews
from rapport.plugins.banking.permissions import PERMISSIONS, ROLES
from rapport.plugins.banking.services.merges import settle_merged_customers

plugin_info = PluginInfo(
    name="banking",
    version="0.1.0",
    description="Relationship managers, books of business, households, accounts, ratings, "
    "key clients, scorecards and training.",
)


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("banking", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_roles(register: Register[Role]) -> None:
    for name, (description, inherits) in ROLES.items():
        register(Role(name, description, inherits=inherits))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    for name, (description, roles) in PERMISSIONS.items():
        register(Permission(name, description, roles=roles))


@hookimpl
def register_access_policies(register: Register[AccessPolicy]) -> None:
    for policy in access.book_policies():
        register(policy)


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    first, *others = access.CUSTOMER_LINKED
    # Settled once, before core moves any linked row of the merged customers.
    register(CustomerLink(first, resolve=settle_merged_customers))
    for model in others:
        register(CustomerLink(model))


@hookimpl
def register_relationship_types(register: Register[RelationshipType]) -> None:
    register(RelationshipType("guarantor_of", "guarantor of", "guaranteed by"))
    register(
        RelationshipType("beneficial_owner_of", "beneficial owner of", "beneficially owned by")
    )


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    for event_type in BANKING_EVENT_TYPES:
        register(event_type)


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("banking", BankingErrorCode))


async def _assign_creator(event: DomainEvent, operation: Operation | None) -> None:
    from rapport.plugins.banking.services.assignments import assign_creator

    assert operation is not None, "runs before commit, inside the creating operation"
    await assign_creator(event, operation.session)


@hookimpl
def register_event_handlers(register: Register[EventHandler]) -> None:
    register(EventHandler(CustomerCreated, _assign_creator))


@hookimpl
def register_jobs(register: Register[Job]) -> None:
    register(Job("banking.overdue_reviews", REVIEW_JOB_SECONDS, raise_overdue_reviews))


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    from rapport.plugins.banking.schema import CONTRIBUTIONS

    for part in CONTRIBUTIONS:
        register(part)


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    from rapport.plugins.banking.demo import load_demo

    register(DemoData("banking", load_demo))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    for source in BANKING_VALUE_SOURCES:
        register(source)


@hookimpl
def register_churn_signals(register: Register[ChurnSignal]) -> None:
    for signal in BANKING_CHURN_SIGNALS:
        register(signal)
