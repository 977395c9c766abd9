"""The marketing plugin's GraphQL: queries, mutations, node types, fields on Customer and Lead."""

from __future__ import annotations

from typing import Any

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

CONTRIBUTIONS: list[dict[str, Any]] = [
    {"query": SegmentQueries, "mutation": SegmentMutations, "types": [Segment]},
    {
        "query": CampaignQueries,
        "mutation": CampaignMutations,
        "types": [Campaign, MemberStatus, CampaignCost],
    },
    {
        "query": MemberQueries,
        "mutation": MemberMutations,
        "types": [CampaignMember, MemberResponse],
    },
    {"query": ConsentQueries, "mutation": ConsentMutations, "types": [Consent]},
    {"query": LeadFormQueries, "mutation": LeadFormMutations, "types": [LeadForm]},
    {"query": ScoringQueries, "mutation": ScoringMutations, "types": [ScoringRule, Score]},
    {
        "query": AnalyticsQueries,
        "extend": {"Customer": CustomerMarketingFields, "Lead": LeadMarketingFields},
    },
]
