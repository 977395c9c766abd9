"""The service plugin's GraphQL: queries, mutations, node types and fields on ``Customer``."""

from __future__ import annotations

from typing import Any

from rapport.plugins.service.schema.analytics import AnalyticsQueries
from rapport.plugins.service.schema.articles import Article, ArticleMutations, ArticleQueries
from rapport.plugins.service.schema.assets import Asset, AssetMutations, AssetQueries
from rapport.plugins.service.schema.calendars import (
    BusinessCalendar,
    CalendarMutations,
    CalendarQueries,
)
from rapport.plugins.service.schema.cases import Case, CaseMutations, CaseQueries
from rapport.plugins.service.schema.customer import CustomerServiceFields
from rapport.plugins.service.schema.policies import (
    CaseStatus,
    EscalationRule,
    PolicyMutations,
    PolicyQueries,
    SlaPolicy,
)
from rapport.plugins.service.schema.surveys import (
    SurveyInvitation,
    SurveyMutations,
    SurveyQueries,
)
from rapport.plugins.service.schema.visits import (
    ServiceSchedule,
    VisitMutations,
    VisitQueries,
    WorkOrder,
)

__all__ = ["CONTRIBUTIONS"]

# What ``register_graphql`` registers, one area per entry.
CONTRIBUTIONS: list[dict[str, Any]] = [
    {"query": CalendarQueries, "mutation": CalendarMutations, "types": [BusinessCalendar]},
    {
        "query": PolicyQueries,
        "mutation": PolicyMutations,
        "types": [SlaPolicy, EscalationRule, CaseStatus],
    },
    {"query": AssetQueries, "mutation": AssetMutations, "types": [Asset]},
    {"query": CaseQueries, "mutation": CaseMutations, "types": [Case]},
    {"query": ArticleQueries, "mutation": ArticleMutations, "types": [Article]},
    {"query": SurveyQueries, "mutation": SurveyMutations, "types": [SurveyInvitation]},
    {
        "query": VisitQueries,
        "mutation": VisitMutations,
        "types": [WorkOrder, ServiceSchedule],
    },
    {"query": AnalyticsQueries, "extend": {"Customer": CustomerServiceFields}},
]
