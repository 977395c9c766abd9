"""The sales plugin's GraphQL: queries, mutations, node types and fields on ``Customer``."""

from __future__ import annotations

from typing import Any

from rapport.plugins.sales.schema.analytics import AnalyticsQueries
from rapport.plugins.sales.schema.customer import CustomerSalesFields
from rapport.plugins.sales.schema.leads import Lead, LeadMutations, LeadQueries
from rapport.plugins.sales.schema.opportunities import (
    Opportunity,
    OpportunityMutations,
    OpportunityQueries,
)
from rapport.plugins.sales.schema.payments import Payment, PaymentMutations, PaymentQueries
from rapport.plugins.sales.schema.pipelines import (
    Pipeline,
    PipelineMutations,
    PipelineQueries,
    Stage,
)
from rapport.plugins.sales.schema.products import Product, ProductMutations, ProductQueries
from rapport.plugins.sales.schema.quotes import Order, Quote, QuoteMutations, QuoteQueries
from rapport.plugins.sales.schema.territories import (
    CommissionPlan,
    Quota,
    Territory,
    TerritoryMutations,
    TerritoryQueries,
)

__all__ = ["CONTRIBUTIONS"]

# What ``register_graphql`` registers, one area per entry.
CONTRIBUTIONS: list[dict[str, Any]] = [
    {"query": PipelineQueries, "mutation": PipelineMutations, "types": [Pipeline, Stage]},
    {"query": LeadQueries, "mutation": LeadMutations, "types": [Lead]},
    {"query": OpportunityQueries, "mutation": OpportunityMutations, "types": [Opportunity]},
    {"query": ProductQueries, "mutation": ProductMutations, "types": [Product]},
    {"query": QuoteQueries, "mutation": QuoteMutations, "types": [Quote, Order]},
    {"query": PaymentQueries, "mutation": PaymentMutations, "types": [Payment]},
    {
        "query": TerritoryQueries,
        "mutation": TerritoryMutations,
        "types": [Territory, Quota, CommissionPlan],
    },
    {"query": AnalyticsQueries, "extend": {"Customer": CustomerSalesFields}},
]
