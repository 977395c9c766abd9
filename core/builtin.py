"""The core domain, contributed through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.core import webhooks
from rapport.core.events import DomainEvent
from rapport.core.hookspecs import hookimpl
from rapport.core.models import (
    AuditEntry,
    ContactPoint,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
)
from rapport.core.plugins import PluginInfo
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
}
READ_PERMISSIONS = tuple(name for name in CORE_PERMISSIONS if name.endswith(":read"))
MEMBER_PERMISSIONS = (
    *READ_PERMISSIONS,
    "customers:write",
    "customers:import",
    "interactions:write",
    "tasks:write",
)

RELATIONSHIP_TYPES = [
    ("employee_of", "employee of", "employer of", False),
    ("household_member", "household member of", "household of", False),
    ("subsidiary_of", "subsidiary of", "parent company of", False),
    ("referred_by", "referred by", "referred", False),
    ("spouse_of", "spouse of", "spouse of", True),
    ("parent_of", "parent of", "child of", False),
    ("partner_of", "business partner of", "business partner of", True),
]

INTERACTION_KINDS = {
    "call": "Call",
    "email": "Email",
    "meeting": "Meeting",
    "note": "Note",
    "message": "Message",
    "visit": "Visit",
    "complaint": "Complaint",
}

EVENT_TYPES = {
    "customer.created": "a customer was created",
    "customer.updated": "a customer's fields changed",
    "customer.deleted": "a customer was soft-deleted",
    "customer.restored": "a deleted customer was restored",
    "customer.merged": "customers were merged into a survivor",
    "customer.imported": "customers were imported in bulk (one event per import)",
    "interaction.logged": "an interaction was logged",
    "task.created": "a task was created",
    "task.completed": "a task was completed",
    "task.cancelled": "an open task was cancelled",
    "relationship.created": "two customers were related",
    "relationship.updated": "a relationship's type, role, dates or notes changed",
    "relationship.deleted": "a relationship was removed",
}


@hookimpl
def register_demo_data(register: Any) -> None:
    from rapport.core.demo_data import load_core_demo

    register("core", load_core_demo)


@hookimpl
def register_migrations(register: Any) -> None:
    register("core", Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_roles(register: Any) -> None:
    register("admin", "every permission of every enabled plugin")
    register("member", "works with customers, interactions and tasks")
    register("viewer", "reads everything, changes nothing")


@hookimpl
def register_permissions(register: Any) -> None:
    for name, description in CORE_PERMISSIONS.items():
        roles: tuple[str, ...] = ("member", "viewer") if name in READ_PERMISSIONS else ()
        if name in MEMBER_PERMISSIONS and name not in READ_PERMISSIONS:
            roles = ("member",)
        register(name, description, roles=roles)


@hookimpl
def register_customer_links(register: Any) -> None:
    for model in (ContactPoint, Interaction, InteractionParticipant, Task, AuditEntry):
        register(model)
    register(Relationship, "from_customer_id", "to_customer_id")


@hookimpl
def register_relationship_types(register: Any) -> None:
    for key, label, inverse, symmetric in RELATIONSHIP_TYPES:
        register(key, label, inverse, symmetric=symmetric)


@hookimpl
def register_interaction_kinds(register: Any) -> None:
    for key, label in INTERACTION_KINDS.items():
        register(key, label)


@hookimpl
def register_event_types(register: Any) -> None:
    for name, description in EVENT_TYPES.items():
        register(name, description)


@hookimpl
def before_commit(event: DomainEvent, session: Any) -> Any:
    # In the same transaction as the change, so a webhook fires exactly when it commits.
    return webhooks.enqueue(event, session)


@hookimpl
def register_jobs(register: Any) -> None:
    async def deliver(context: JobContext) -> None:
        settings = context.runtime.settings
        await webhooks.deliver_due(
            context.runtime.sessions,
            request_seconds=settings.webhook_timeout,
            allowed_networks=settings.webhook_allowed_networks,
        )

    register("webhooks.deliver", 10, deliver)
