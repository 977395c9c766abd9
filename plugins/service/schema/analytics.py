"""Service analytics in GraphQL: service levels, the complaint summary, survey results."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry import relay

from rapport.core import utcnow
from rapport.plugins.service import analytics
from rapport.plugins.service.schema.common import READ
from rapport.schema import Info, context_of

__all__ = ["AnalyticsQueries"]


@strawberry.input(
    name="ServicePeriod", description="Whole days (UTC); both the first and the last included."
)
class PeriodInput:
    start: date
    end: date

    def to_period(self) -> analytics.Period:
        if self.end < self.start:
            raise GraphQLError(
                "period: the end comes before the start", extensions={"code": "BAD_USER_INPUT"}
            )
        if (self.end - self.start).days > 3660:
            raise GraphQLError("period: at most ten years", extensions={"code": "BAD_USER_INPUT"})
        return analytics.Period(self.start, self.end)


@strawberry.enum
class ServiceGroupBy(Enum):
    TEAM = "TEAM"
    AGENT = "AGENT"
    CATEGORY = "CATEGORY"
    PRIORITY = "PRIORITY"


@strawberry.type
class BacklogBucket:
    age: str = strawberry.field(description="UNDER_1_DAY, 1_TO_3_DAYS, 3_TO_7_DAYS, OVER_7_DAYS.")
    count: int


@strawberry.type(description="One group's service levels; times in (business) seconds.")
class ServiceLevel:
    key: str | None = strawberry.field(description="The team, category, priority or agent id.")
    agent_id: relay.GlobalID | None
    opened: int
    resolved: int
    first_response_median_seconds: int | None
    first_response_p90_seconds: int | None
    resolution_median_seconds: int | None
    resolution_p90_seconds: int | None
    within_sla_percent: float | None = strawberry.field(
        description="Timers met among those completed in the period."
    )
    breaches: int
    backlog: list[BacklogBucket] = strawberry.field(description="Open cases now, by age.")


@strawberry.type
class ComplaintSummaryRow:
    category: str | None
    root_cause: str | None
    count: int
    resolved: int
    previous_count: int = strawberry.field(description="In as many days just before.")
    change: int


@strawberry.type
class SurveyResult:
    key: str | None
    agent_id: relay.GlobalID | None
    sent: int
    answered: int
    response_rate: float | None
    csat_percent: float | None = strawberry.field(description="4 or 5 among CSAT answers.")
    nps: float | None = strawberry.field(description="% promoters - % detractors.")


def _agent(group_by: ServiceGroupBy, key: str | None) -> relay.GlobalID | None:
    if group_by is not ServiceGroupBy.AGENT or key is None:
        return None
    return relay.GlobalID("User", key)


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(description="Opened, resolved, times (median, p90), SLA, backlog by age.")
    async def service_levels(
        self, info: Info, period: PeriodInput, group_by: ServiceGroupBy
    ) -> list[ServiceLevel]:
        context = context_of(info)
        context.require(READ)
        span = period.to_period()
        async with context.db() as session:
            rows = await analytics.service_levels(session, span, group_by.value, utcnow())
        return [
            ServiceLevel(
                key=row.key,
                agent_id=_agent(group_by, row.key),
                opened=row.opened,
                resolved=row.resolved,
                first_response_median_seconds=row.first_response_median,
                first_response_p90_seconds=row.first_response_p90,
                resolution_median_seconds=row.resolution_median,
                resolution_p90_seconds=row.resolution_p90,
                within_sla_percent=row.within_sla_percent,
                breaches=row.breaches,
                backlog=[
                    BacklogBucket(age=label, count=row.backlog.get(label, 0))
                    for label, _days in analytics.AGE_BUCKETS
                ],
            )
            for row in rows
        ]

    @strawberry.field(description="Complaints by category and root cause, with the trend.")
    async def complaint_summary(self, info: Info, period: PeriodInput) -> list[ComplaintSummaryRow]:
        context = context_of(info)
        context.require(READ)
        async with context.db() as session:
            rows = await analytics.complaint_summary(session, period.to_period())
        return [
            ComplaintSummaryRow(
                category=r.category,
                root_cause=r.root_cause,
                count=r.count,
                resolved=r.resolved,
                previous_count=r.previous_count,
                change=r.change,
            )
            for r in rows
        ]

    @strawberry.field(description="CSAT %, NPS and response rate of the surveys sent.")
    async def survey_results(
        self, info: Info, period: PeriodInput, group_by: ServiceGroupBy
    ) -> list[SurveyResult]:
        context = context_of(info)
        context.require(READ)
        async with context.db() as session:
            rows = await analytics.survey_results(session, period.to_period(), group_by.value)
        return [
            SurveyResult(
                key=r.key,
                agent_id=_agent(group_by, r.key),
                sent=r.sent,
                answered=r.answered,
                response_rate=r.response_rate,
                csat_percent=r.csat_percent,
                nps=r.nps,
            )
            for r in rows
        ]
