"""The marketing plugin's GraphQL: queries, mutations, node types, fields on Customer and Lead."""

from __future__ import annotations

from rapport.core import GraphQLPart
from rapport.plugins.marketing.schema.analytics import AnalyticsQueries
from rapport.plugins.marketing.schema.campaigns import (
    Campaign,
    CampaignCost,
    CampaignMutations,
    CampaignQueries,
    MemberStatus,
)
from rapport.plugins.marketing.schema.consent import Consent, ConsentMutations, ConsentQueries
from rapport.plugins.marketing.schema.customer import (
    CustomerMarketingFields,
    LeadMarketingFields,
)
from rapport.plugins.marketing.schema.forms import LeadForm, LeadFormMutations, LeadFormQueries
from rapport.plugins.marketing.schema.members import (
    CampaignMember,
    MemberMutations,
    MemberQueries,
    MemberResponse,
)
from rapport.plugins.marketing.schema.scoring import (
    Score,
    ScoringMutations,
    ScoringQueries,
    ScoringRule,
)
from rapport.plugins.marketing.schema.segments import Segment, SegmentMutations, SegmentQueries

__all__ = ["CONTRIBUTIONS"]

# What ``register_graphql`` registers, one area per entry.
CONTRIBUTIONS: tuple[GraphQLPart, ...] = (
    GraphQLPart(SegmentQueries, SegmentMutations, (Segment,)),
    GraphQLPart(CampaignQueries, CampaignMutations, (Campaign, MemberStatus, CampaignCost)),
    GraphQLPart(MemberQueries, MemberMutations, (CampaignMember, MemberResponse)),
    GraphQLPart(ConsentQueries, ConsentMutations, (Consent,)),
    GraphQLPart(LeadFormQueries, LeadFormMutations, (LeadForm,)),
    GraphQLPart(ScoringQueries, ScoringMutations, (ScoringRule, Score)),
    GraphQLPart(
        AnalyticsQueries,
        extend={"Customer": CustomerMarketingFields, "Lead": LeadMarketingFields},
    ),
)
