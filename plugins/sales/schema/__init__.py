"""The sales plugin's GraphQL: queries, mutations, node types and fields on ``Customer``."""

from __future__ import annotations

from rapport.core import GraphQLPart
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
CONTRIBUTIONS: tuple[GraphQLPart, ...] = (
    GraphQLPart(PipelineQueries, PipelineMutations, (Pipeline, Stage)),
    GraphQLPart(LeadQueries, LeadMutations, (Lead,)),
    GraphQLPart(OpportunityQueries, OpportunityMutations, (Opportunity,)),
    GraphQLPart(ProductQueries, ProductMutations, (Product,)),
    GraphQLPart(QuoteQueries, QuoteMutations, (Quote, Order)),
    GraphQLPart(PaymentQueries, PaymentMutations, (Payment,)),
    GraphQLPart(TerritoryQueries, TerritoryMutations, (Territory, Quota, CommissionPlan)),
    GraphQLPart(AnalyticsQueries, extend={"Customer": CustomerSalesFields}),
)
