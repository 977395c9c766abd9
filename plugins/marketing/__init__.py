"""Marketing: segments, campaigns with members, responses and costs, consent, email sending,
lead capture forms, lead scoring, attribution and return on investment.

Written only against the plugin contract, on top of sales (leads, opportunities, payments):
tables in their own migration branch, services taking an ``Operation``, GraphQL contributed
through ``register_graphql``, public endpoints through ``register_routes``, the email send as
a worker job, and customer merges followed through ``before_commit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.core import DomainEvent, JobContext, PluginInfo, hookimpl
from rapport.plugins.marketing import models

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

EVENT_TYPES = {
    "segment.created": "a segment was defined",
    "segment.updated": "a segment's definition changed",
    "segment.refreshed": "a snapshot segment's membership was recomputed",
    "campaign.created": "a campaign was planned",
    "campaign.updated": "a campaign's fields changed",
    "campaign.activated": "a campaign started",
    "campaign.completed": "a campaign finished",
    "campaign.aborted": "a campaign was stopped before its end",
    "campaign.members_added": "customers or leads were added to a campaign",
    "campaign.member_responded": "a campaign member's status changed",
    "campaign.cost_recorded": "a cost line was recorded or approved",
    "campaign.email_sent": "a campaign email went out to its pending members",
    "consent.recorded": "a customer or lead gave or withdrew consent",
    "form.submitted": "a lead capture form was submitted",
    "lead.scored": "a lead's or customer's score was recomputed",
    "lead.marketing_qualified": "a lead's score reached the qualifying threshold",
}

SEND_EMAIL_SECONDS = 60


async def send_pending_email(context: JobContext) -> int:
    """Send every active email campaign's pending members their email, workspace by workspace."""
    from rapport.plugins.marketing.services.sending import send_pending

    sent = 0
    async for op in context.each_workspace():
        sent += await send_pending(op, context.runtime.settings)
    return sent


@hookimpl
def register_jobs(register: Any) -> None:
    register("marketing.send_email", SEND_EMAIL_SECONDS, send_pending_email)


@hookimpl
def register_customer_links(register: Any) -> None:
    # Whoever may not see a customer may not see their memberships, responses, consent,
    # snapshot memberships or score.
    for model in (
        models.CampaignMember,
        models.MemberResponse,
        models.Consent,
        models.SegmentMember,
        models.Score,
    ):
        register(model)


@hookimpl
def register_migrations(register: Any) -> None:
    register("marketing", Path(__file__).parent / "migrations" / "versions")


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
def register_graphql(register: Any) -> None:
    # Imported here: the GraphQL layer is only needed by the processes that serve it.
    from rapport.plugins.marketing.schema import CONTRIBUTIONS

    for contribution in CONTRIBUTIONS:
        register(**contribution)


@hookimpl
def register_routes(register: Any, runtime: Any) -> None:
    from rapport.plugins.marketing.endpoints import public_routes

    for route in public_routes(runtime):
        register(route)


@hookimpl
def register_demo_data(register: Any) -> None:
    from rapport.plugins.marketing.demo import load_marketing_demo

    register("marketing", load_marketing_demo)


@hookimpl
async def before_commit(event: DomainEvent, session: Any, operation: Any) -> None:
    if event.name == "customer.merged":
        from rapport.plugins.marketing.services.merge import repoint_merged_customers

        await repoint_merged_customers(event, session)
    elif event.name in ("opportunity.created", "opportunity.updated"):
        from rapport.plugins.marketing.services.sources import record_source_campaign

        await record_source_campaign(event, session)
    elif event.name in SCORE_EVENTS:
        from rapport.plugins.marketing.services.scoring import rescore_for_event

        await rescore_for_event(event, operation)


# Events after which a lead's or customer's score may have changed.
SCORE_EVENTS = ("campaign.member_responded", "lead.created", "customer.updated", "form.submitted")
