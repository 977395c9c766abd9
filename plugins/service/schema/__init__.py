"""The service plugin's GraphQL: queries, mutations, node types and fields on ``Customer``."""

from __future__ import annotations

from rapport.core import GraphQLPart
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
CONTRIBUTIONS: tuple[GraphQLPart, ...] = (
    GraphQLPart(CalendarQueries, CalendarMutations, (BusinessCalendar,)),
    GraphQLPart(PolicyQueries, PolicyMutations, (SlaPolicy, EscalationRule, CaseStatus)),
    GraphQLPart(AssetQueries, AssetMutations, (Asset,)),
    GraphQLPart(CaseQueries, CaseMutations, (Case,)),
    GraphQLPart(ArticleQueries, ArticleMutations, (Article,)),
    GraphQLPart(SurveyQueries, SurveyMutations, (SurveyInvitation,)),
    GraphQLPart(VisitQueries, VisitMutations, (WorkOrder, ServiceSchedule)),
    GraphQLPart(AnalyticsQueries, extend={"Customer": CustomerServiceFields}),
)
