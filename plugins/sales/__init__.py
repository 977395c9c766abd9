"""Sales: leads, pipelines, opportunities, quotes, orders, payments, quotas and commissions.

Written only against the plugin contract: tables on core's ``Base`` in their own migration
branch, services taking an ``Operation``, GraphQL contributed through ``register_graphql``,
and customer links that a merge moves to the survivor.
"""

from __future__ import annotations

from pathlib import Path

from rapport.core import (
    CustomerLink,
    DemoData,
    ErrorCodes,
    EventType,
    GraphQLPart,
    Job,
    JobContext,
    MigrationBranch,
    Permission,
    PluginInfo,
    PotentialValueSource,
    Register,
    ValueSource,
    hookimpl,
)
from rapport.plugins.sales import models
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.events import SALES_EVENT_TYPES
from rapport.plugins.sales.insights import SALES_POTENTIAL, SALES_VALUE_SOURCES
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

QUOTE_EXPIRY_SECONDS = 3600


async def expire_lapsed_quotes(context: JobContext) -> int:
    """Expire the quotes of every workspace whose validity has ended."""
    expired = 0
    async for op in context.each_workspace():
        expired += len(await quotes.expire_lapsed_quotes(op))
    return expired


@hookimpl
def register_jobs(register: Register[Job]) -> None:
    register(Job("sales.expire_quotes", QUOTE_EXPIRY_SECONDS, expire_lapsed_quotes))


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    # Whoever may not see a customer may not see their deals, quotes, orders or payments; a
    # merge moves them all to the survivor.
    for model in (models.Lead, models.Opportunity, models.Quote, models.Order, models.Payment):
        register(CustomerLink(model))


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("sales", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    # Admin gets every permission anyway; members read and write, viewers read.
    for name, (description, for_viewers) in PERMISSIONS.items():
        roles = ("member", "viewer") if for_viewers else ("member",) if for_viewers is False else ()
        register(Permission(name, description, roles=roles))


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    for event_type in SALES_EVENT_TYPES:
        register(event_type)


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("sales", SalesErrorCode))


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    # Imported here: the GraphQL layer is only needed by the processes that serve it.
    from rapport.plugins.sales.schema import CONTRIBUTIONS

    for part in CONTRIBUTIONS:
        register(part)


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    from rapport.plugins.sales.demo import load_sales_demo

    register(DemoData("sales", load_sales_demo))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    for source in SALES_VALUE_SOURCES:
        register(source)


@hookimpl
def register_potential_value_sources(register: Register[PotentialValueSource]) -> None:
    for source in SALES_POTENTIAL:
        register(source)
