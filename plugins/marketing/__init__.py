"""Marketing: segments, campaigns with members, responses and costs, consent, email sending,
lead capture forms, lead scoring, attribution and return on investment.

Written only against the plugin contract, on top of sales (leads, opportunities, payments):
tables in their own migration branch, services taking an ``Operation``, GraphQL contributed
through ``register_graphql``, public endpoints through ``register_routes``, the email send as
a worker job, the events it follows as handlers, and customer merges settled by the link of
its memberships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute

from rapport.core import (
    CustomerLink,
    CustomerUpdated,
    DemoData,
    DomainEvent,
    ErrorCodes,
    EventHandler,
    EventType,
    GraphQLPart,
    Job,
    JobContext,
    MigrationBranch,
    Operation,
    Permission,
    PluginInfo,
    Register,
    ValueSource,
    hookimpl,
)
from rapport.plugins.marketing import models
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import (
    MARKETING_EVENT_TYPES,
    CampaignMemberResponded,
    FormSubmitted,
)
from rapport.plugins.marketing.insights import MARKETING_VALUE_SOURCES
from rapport.plugins.marketing.services.merge import settle_merged_customers
from rapport.plugins.sales.events import LeadCreated, OpportunityCreated, OpportunityUpdated

plugin_info = PluginInfo(
    name="marketing",
    version="0.1.0",
    description="Segments, campaigns, consent, email, lead capture, scoring, attribution, ROI.",
    requires=("sales",),
)

PERMISSIONS = {
    "marketing:read": ("read segments, campaigns, members, costs, consent and analytics", True),
    "marketing:write": ("work campaigns: members, responses, costs, consent, sending", False),
    "marketing:manage": ("manage segments, channels, forms, scoring rules and settings", None),
}

SEND_EMAIL_SECONDS = 60

# Events after which a lead's or customer's score may have changed.
SCORE_EVENTS = (CampaignMemberResponded, LeadCreated, CustomerUpdated, FormSubmitted)


async def send_pending_email(context: JobContext) -> int:
    """Send every active email campaign's pending members their email, workspace by workspace."""
    from rapport.plugins.marketing.services.sending import send_pending

    sent = 0
    async for op in context.each_workspace():
        sent += await send_pending(op, context.runtime.settings)
    return sent


@hookimpl
def register_jobs(register: Register[Job]) -> None:
    register(Job("marketing.send_email", SEND_EMAIL_SECONDS, send_pending_email))


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    # Whoever may not see a customer may not see their memberships, responses, consent,
    # snapshot memberships or score. A merge moves them to the survivor, once the clashing
    # memberships are settled (and snapshot memberships and scores dropped, to be recomputed).
    register(CustomerLink(models.CampaignMember, resolve=settle_merged_customers))
    for model in (models.MemberResponse, models.Consent, models.SegmentMember, models.Score):
        register(CustomerLink(model))


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("marketing", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    # Admin gets every permission anyway; members read and write, viewers read.
    for name, (description, for_viewers) in PERMISSIONS.items():
        roles = ("member", "viewer") if for_viewers else ("member",) if for_viewers is False else ()
        register(Permission(name, description, roles=roles))


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    for event_type in MARKETING_EVENT_TYPES:
        register(event_type)


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("marketing", MarketingErrorCode))


async def _record_source_campaign(event: DomainEvent, operation: Operation | None) -> None:
    from rapport.plugins.marketing.services.sources import record_source_campaign

    await record_source_campaign(event, operation)


async def _rescore(event: DomainEvent, operation: Operation | None) -> None:
    from rapport.plugins.marketing.services.scoring import rescore_for_event

    await rescore_for_event(event, operation)


@hookimpl
def register_event_handlers(register: Register[EventHandler]) -> None:
    for opportunity_event in (OpportunityCreated, OpportunityUpdated):
        register(EventHandler(opportunity_event, _record_source_campaign))
    for score_event in SCORE_EVENTS:
        register(EventHandler(score_event, _rescore))


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    # Imported here: the GraphQL layer is only needed by the processes that serve it.
    from rapport.plugins.marketing.schema import CONTRIBUTIONS

    for part in CONTRIBUTIONS:
        register(part)


@hookimpl
def register_routes(register: Register[BaseRoute], runtime: Any) -> None:
    from rapport.plugins.marketing.endpoints import public_routes

    for route in public_routes(runtime):
        register(route)


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    from rapport.plugins.marketing.demo import load_marketing_demo

    register(DemoData("marketing", load_marketing_demo))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    for source in MARKETING_VALUE_SOURCES:
        register(source)
