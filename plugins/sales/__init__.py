"""Sales: leads, pipelines, opportunities, quotes, orders, payments, quotas and commissions.

Written only against the plugin contract: tables on core's ``Base`` in their own migration
branch, services taking an ``Operation``, GraphQL contributed through ``register_graphql``,
and the customer merge followed through ``before_commit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.core import DomainEvent, JobContext, PluginInfo, hookimpl
from rapport.plugins.sales import models
from rapport.plugins.sales.services import quotes

plugin_info = PluginInfo(
    name="sales",
    version="0.1.0",
    description="Leads, pipelines, opportunities, quotes, orders, payments, quotas, commissions.",
)

PERMISSIONS = {
    "sales:read": ("read leads, deals, quotes, orders, payments and sales analytics", True),
    "sales:write": ("work leads and deals, quote, order and record payments", False),
    "sales:manage": ("manage pipelines, products, territories, quotas and commission plans", None),
}

EVENT_TYPES = {
    "lead.created": "a lead was created",
    "lead.working": "work on a lead started",
    "lead.qualified": "a lead was qualified",
    "lead.disqualified": "a lead was disqualified, with the reason",
    "lead.converted": "a lead became a customer and an opportunity",
    "opportunity.created": "an opportunity was opened",
    "opportunity.updated": "an opportunity's fields changed",
    "opportunity.stage_changed": "an opportunity moved to another stage",
    "opportunity.won": "an opportunity reached a won stage",
    "opportunity.lost": "an opportunity reached a lost stage",
    "opportunity.reopened": "a closed opportunity was reopened",
    "opportunity.big_deal": "an opportunity's amount reached the big-deal threshold",
    "quote.sent": "a quote was sent to the customer",
    "quote.accepted": "a quote was accepted",
    "quote.rejected": "a quote was rejected",
    "quote.expired": "a quote expired",
    "order.created": "an order was placed from an accepted quote",
    "payment.received": "a payment was received",
}


QUOTE_EXPIRY_SECONDS = 3600


async def expire_lapsed_quotes(context: JobContext) -> int:
    """Expire the quotes of every workspace whose validity has ended."""
    expired = 0
    async for op in context.each_workspace():
        expired += len(await quotes.expire_lapsed_quotes(op))
    return expired


@hookimpl
def register_jobs(register: Any) -> None:
    register("sales.expire_quotes", QUOTE_EXPIRY_SECONDS, expire_lapsed_quotes)


@hookimpl
def register_customer_links(register: Any) -> None:
    # Whoever may not see a customer may not see their deals, quotes, orders or payments.
    for model in (models.Lead, models.Opportunity, models.Quote, models.Order, models.Payment):
        register(model)


@hookimpl
def register_migrations(register: Any) -> None:
    register("sales", Path(__file__).parent / "migrations" / "versions")


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
    from rapport.plugins.sales.schema import CONTRIBUTIONS

    for contribution in CONTRIBUTIONS:
        register(**contribution)


@hookimpl
def register_demo_data(register: Any) -> None:
    from rapport.plugins.sales.demo import load_sales_demo

    register("sales", load_sales_demo)


@hookimpl
async def before_commit(event: DomainEvent, session: Any) -> None:
    if event.name == "customer.merged":
        from rapport.plugins.sales.services.merge import repoint_merged_customers

        await repoint_merged_customers(event, session)
