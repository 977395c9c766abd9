"""The core domain, contributed through the same hooks as any plugin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from rapport.core import webhooks
from rapport.core.contributions import (
    CustomerLink,
    DemoData,
    ErrorCodes,
    EventType,
    InteractionKind,
    Job,
    MigrationBranch,
    Permission,
    Register,
    RelationshipType,
    Role,
    ValueKind,
    ValueSource,
)
from rapport.core.error_codes import CoreErrorCode
from rapport.core.event_log import prune_event_log, record_event
from rapport.core.event_types import CORE_EVENT_TYPES
from rapport.core.events import DomainEvent
from rapport.core.hookspecs import hookimpl
from rapport.core.idempotency import expire_idempotency_keys
from rapport.core.insights import computed_within, recompute_insights
from rapport.core.insights.core_sources import interactions_engagement
from rapport.core.models import (
    AuditEntry,
    ContactPoint,
    CustomerInsight,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
)
from rapport.core.plugins import PluginInfo
from rapport.core.reminders import fire_due_moments
from rapport.core.statistics import analyze_stale_tables
from rapport.core.worker import JobContext

plugin_info = PluginInfo(
    name="core",
    version="0.1.0",
    description="Customers, contact points, relationships, interactions, tasks, audit.",
)

CORE_PERMISSIONS = {
    "customers:read": "read customers, contact points and relationships",
    "customers:write": "create and change customers, contact points and relationships",
    "customers:delete": "delete and restore customers",
    "customers:merge": "merge duplicate customers",
    "customers:import": "import customers in bulk",
    "interactions:read": "read the interaction timeline",
    "interactions:write": "log and change interactions",
    "tasks:read": "read tasks",
    "tasks:write": "create, change and complete tasks",
    "audit:read": "read the audit history",
    "settings:write": "define custom fields and relationship types",
    "webhooks:manage": "manage webhook subscriptions",
    "users:read": "list the workspace's users",
    "access:manage": "manage users, their roles and API keys",
    "insights:manage": "recompute customer insights, override grades, change insight settings",
}
READ_PERMISSIONS = tuple(name for name in CORE_PERMISSIONS if name.endswith(":read"))
MEMBER_PERMISSIONS = (
    *READ_PERMISSIONS,
    "customers:write",
    "customers:import",
    "interactions:write",
    "tasks:write",
)

PERSON = ("person",)
ORGANIZATION = ("organization",)
# Households, referrals and partnerships may join any kinds (a company refers a person).
RELATIONSHIP_TYPES = (
    RelationshipType(
        "employee_of", "employee of", "employer of", from_kinds=PERSON, to_kinds=ORGANIZATION
    ),
    RelationshipType("household_member", "household member of", "household of"),
    RelationshipType(
        "subsidiary_of",
        "subsidiary of",
        "parent company of",
        from_kinds=ORGANIZATION,
        to_kinds=ORGANIZATION,
    ),
    RelationshipType("referred_by", "referred by", "referred"),
    RelationshipType("spouse_of", "spouse of", symmetric=True, from_kinds=PERSON, to_kinds=PERSON),
    RelationshipType("parent_of", "parent of", "child of", from_kinds=PERSON, to_kinds=PERSON),
    RelationshipType("partner_of", "business partner of", symmetric=True),
)

# Insights move slowly (quintiles, fitted models); once an hour keeps them within the day.
INSIGHTS_EVERY_SECONDS = 3600

INTERACTION_KINDS = {
    "call": "Call",
    "email": "Email",
    "meeting": "Meeting",
    "note": "Note",
    "message": "Message",
    "visit": "Visit",
    "complaint": "Complaint",
}


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    from rapport.core.demo_data import load_core_demo

    register(DemoData("core", load_core_demo))


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("core", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_roles(register: Register[Role]) -> None:
    register(Role("admin", "every permission of every enabled plugin"))
    register(Role("member", "works with customers, interactions and tasks"))
    register(Role("viewer", "reads everything, changes nothing"))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    for name, description in CORE_PERMISSIONS.items():
        roles: tuple[str, ...] = ("member", "viewer") if name in READ_PERMISSIONS else ()
        if name in MEMBER_PERMISSIONS and name not in READ_PERMISSIONS:
            roles = ("member",)
        register(Permission(name, description, roles=roles))


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    register(CustomerLink(Interaction))
    register(CustomerLink(Task))
    # Recomputed for the survivor; the merged record's row goes with its next recomputation.
    register(CustomerLink(CustomerInsight, repoint=False))
    # The merge moves these itself: it folds duplicate contact points and edges, and history
    # stays with the record it was written about.
    for model in (ContactPoint, InteractionParticipant):
        register(CustomerLink(model, repoint=False))
    # An entry about a record joining two customers names both, and is seen with both.
    register(CustomerLink(AuditEntry, ("customer_id", "other_customer_id"), repoint=False))
    register(CustomerLink(Relationship, ("from_customer_id", "to_customer_id"), repoint=False))


@hookimpl
def register_relationship_types(register: Register[RelationshipType]) -> None:
    for relationship_type in RELATIONSHIP_TYPES:
        register(relationship_type)


@hookimpl
def register_interaction_kinds(register: Register[InteractionKind]) -> None:
    for key, label in INTERACTION_KINDS.items():
        register(InteractionKind(key, label))


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    for event_type in CORE_EVENT_TYPES:
        register(event_type)


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("core", CoreErrorCode))


@hookimpl
async def before_commit(event: DomainEvent, session: Any) -> None:
    # In the same transaction as the change, so a webhook fires (and a subscriber hears of
    # it) exactly when it commits.
    await webhooks.enqueue(event, session)
    await record_event(event, session)


async def deliver_webhooks(context: JobContext) -> None:
    settings = context.runtime.settings
    await webhooks.deliver_due(
        context.runtime.sessions,
        request_seconds=settings.webhook_timeout,
        allowed_networks=settings.webhook_allowed_networks,
    )


async def expire_idempotency(context: JobContext) -> None:
    await expire_idempotency_keys(context.runtime.sessions)


async def refresh_statistics(context: JobContext) -> None:
    await analyze_stale_tables(context.runtime.engine)


async def prune_outbox(context: JobContext) -> None:
    hours = context.runtime.settings.outbox_retention_hours
    await webhooks.prune_delivered(context.runtime.sessions, timedelta(hours=hours))


async def prune_events(context: JobContext) -> None:
    hours = context.runtime.settings.event_log_retention_hours
    await prune_event_log(context.runtime.sessions, timedelta(hours=hours))


async def recompute_customer_insights(context: JobContext) -> None:
    async for operation in context.each_workspace():
        # A process that just started (or the demo, which computes them as it loads) finds
        # them fresh: the whole-workspace recompute waits for its period.
        if not await computed_within(operation, INSIGHTS_EVERY_SECONDS):
            await recompute_insights(operation)


async def fire_reminders(context: JobContext) -> None:
    async for operation in context.each_workspace():
        await fire_due_moments(operation)


@hookimpl
def register_jobs(register: Register[Job]) -> None:
    register(Job("webhooks.deliver", 10, deliver_webhooks))
    register(Job("idempotency.expire", 3600, expire_idempotency))
    register(Job("database.analyze", 60, refresh_statistics))
    register(Job("webhooks.prune", 3600, prune_outbox))
    register(Job("events.prune", 600, prune_events))
    register(Job("tasks.fire_reminders", 15, fire_reminders))
    register(Job("insights.recompute", INSIGHTS_EVERY_SECONDS, recompute_customer_insights))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    register(
        ValueSource(
            "core.interactions",
            ValueKind.ENGAGEMENT,
            interactions_engagement,
            "calls, emails, meetings and the rest of the timeline",
        )
    )
