"""Service: cases and complaints, business calendars, SLA timers, escalation, knowledge base,
surveys, installed assets, field visits and periodic service callbacks.

Written only against the plugin contract: tables on core's ``Base`` in their own migration
branch, services taking an ``Operation``, GraphQL contributed through ``register_graphql``,
the worker's jobs through ``register_jobs`` and the customer merge followed through
``before_commit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.core import DomainEvent, JobContext, PluginInfo, hookimpl
from rapport.plugins.service import models

plugin_info = PluginInfo(
    name="service",
    version="0.1.0",
    description="Cases, complaints, SLA timers, escalation, knowledge base, surveys, assets.",
)

PERMISSIONS = {
    "service:read": ("read cases, timers, articles, assets, visits and service analytics", True),
    "service:write": ("work cases, write articles, record assets, visits and surveys", False),
    "service:manage": ("manage calendars, statuses, SLA policies and escalation rules", None),
}

EVENT_TYPES = {
    "case.opened": "a case was opened",
    "case.updated": "a case's fields (priority, category, ...) changed",
    "case.assigned": "a case was assigned to an agent or a team",
    "case.status_changed": "a case moved to another status",
    "case.resolved": "a case was resolved",
    "case.closed": "a case was closed",
    "case.reopened": "a solved case was reopened",
    "case.replied": "a public reply, customer message or internal note was added to a case",
    "case.escalated": "an escalation rule acted on a case",
    "sla.warning": "an SLA timer reached its warning threshold",
    "sla.breached": "an SLA timer passed its target",
    "article.published": "a knowledge-base article was published",
    "survey.sent": "a satisfaction survey was offered for a resolved case",
    "survey.answered": "a customer answered a satisfaction survey",
    "asset.installed": "an installed product was recorded",
    "visit.status_changed": "a field visit moved to another status",
}

INTERACTION_KINDS = {
    "case_reply": "Case reply",
    "case_message": "Case message",
    "case_note": "Case note",
}

# The worker: timers that passed a threshold, escalation, and due service callbacks.
ESCALATION_SECONDS = 60
SCHEDULE_SECONDS = 300


async def run_escalations(context: JobContext) -> int:
    from rapport.plugins.service.services.escalation import escalate_due_cases

    fired = 0
    async for op in context.each_workspace():
        fired += await escalate_due_cases(op)
    return fired


async def run_schedules(context: JobContext) -> int:
    from rapport.plugins.service.services.schedules import create_due_callbacks

    created = 0
    async for op in context.each_workspace():
        created += len(await create_due_callbacks(op))
    return created


@hookimpl
def register_jobs(register: Any) -> None:
    register("service.escalate", ESCALATION_SECONDS, run_escalations)
    register("service.callbacks", SCHEDULE_SECONDS, run_schedules)


@hookimpl
def register_customer_links(register: Any) -> None:
    # Whoever may not see a customer may not see its cases, assets, visits or surveys.
    for model in (
        models.Case,
        models.Asset,
        models.WorkOrder,
        models.SurveyInvitation,
        models.ServiceSchedule,
    ):
        register(model)


@hookimpl
def register_migrations(register: Any) -> None:
    register("service", Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_permissions(register: Any) -> None:
    # Admin gets every permission anyway; members read and write, viewers read.
    for name, (description, for_viewers) in PERMISSIONS.items():
        roles = ("member", "viewer") if for_viewers else ("member",) if for_viewers is False else ()
        register(name, description, roles=roles)


@hookimpl
def register_event_types(register: Any) -> None:
    for name, description in EVENT_TYPES.items():
        register(name, description)


@hookimpl
def register_interaction_kinds(register: Any) -> None:
    for key, label in INTERACTION_KINDS.items():
        register(key, label)


@hookimpl
def register_graphql(register: Any) -> None:
    # Imported here: the GraphQL layer is only needed by the processes that serve it.
    from rapport.plugins.service.schema import CONTRIBUTIONS

    for contribution in CONTRIBUTIONS:
        register(**contribution)


@hookimpl
def register_demo_data(register: Any) -> None:
    from rapport.plugins.service.demo import load_service_demo

    register("service", load_service_demo)


@hookimpl
async def before_commit(event: DomainEvent, session: Any) -> None:
    if event.name == "customer.merged":
        from rapport.plugins.service.services.merge import repoint_merged_customers

        await repoint_merged_customers(event, session)
