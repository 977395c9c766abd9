"""Service: cases and complaints, business calendars, SLA timers, escalation, knowledge base,
surveys, installed assets, field visits and periodic service callbacks.

Written only against the plugin contract: tables on core's ``Base`` in their own migration
branch, services taking an ``Operation``, GraphQL contributed through ``register_graphql``,
the worker's jobs through ``register_jobs``, and customer links that a merge moves to the
survivor.
"""

from __future__ import annotations

from pathlib import Path

from rapport.core import (
    ChurnSignal,
    CustomerLink,
    DemoData,
    ErrorCodes,
    EventType,
    GraphQLPart,
    InteractionKind,
    Job,
    JobContext,
    MigrationBranch,
    Permission,
    PluginInfo,
    Register,
    ValueSource,
    hookimpl,
)
from rapport.plugins.service import models
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import SERVICE_EVENT_TYPES
from rapport.plugins.service.insights import SERVICE_CHURN_SIGNALS, SERVICE_VALUE_SOURCES
from rapport.plugins.service.services.merge import repoint_case_contacts

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
def register_jobs(register: Register[Job]) -> None:
    register(Job("service.escalate", ESCALATION_SECONDS, run_escalations))
    register(Job("service.callbacks", SCHEDULE_SECONDS, run_schedules))


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    # Whoever may not see a customer may not see its cases, assets, visits or surveys; a merge
    # moves them all to the survivor (and a case's contact too, which decides no access).
    register(CustomerLink(models.Case, resolve=repoint_case_contacts))
    for model in (
        models.Asset,
        models.WorkOrder,
        models.SurveyInvitation,
        models.ServiceSchedule,
    ):
        register(CustomerLink(model))


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("service", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    # Admin gets every permission anyway; members read and write, viewers read.
    for name, (description, for_viewers) in PERMISSIONS.items():
        roles = ("member", "viewer") if for_viewers else ("member",) if for_viewers is False else ()
        register(Permission(name, description, roles=roles))


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    for event_type in SERVICE_EVENT_TYPES:
        register(event_type)


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("service", ServiceErrorCode))


@hookimpl
def register_interaction_kinds(register: Register[InteractionKind]) -> None:
    for key, label in INTERACTION_KINDS.items():
        register(InteractionKind(key, label))


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    # Imported here: the GraphQL layer is only needed by the processes that serve it.
    from rapport.plugins.service.schema import CONTRIBUTIONS

    for part in CONTRIBUTIONS:
        register(part)


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    from rapport.plugins.service.demo import load_service_demo

    register(DemoData("service", load_service_demo))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    for source in SERVICE_VALUE_SOURCES:
        register(source)


@hookimpl
def register_churn_signals(register: Register[ChurnSignal]) -> None:
    for signal in SERVICE_CHURN_SIGNALS:
        register(signal)
