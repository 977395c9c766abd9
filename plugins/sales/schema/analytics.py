"""Sales analytics in GraphQL; the formulas live in :mod:`rapport.plugins.sales.analytics`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import relay

from rapport.plugins.sales import analytics
from rapport.plugins.sales.schema.common import READ, PeriodInput, global_id, node_named
from rapport.plugins.sales.schema.payments import Payment
from rapport.plugins.sales.schema.pipelines import Pipeline, Stage
from rapport.plugins.sales.schema.territories import Quota, Territory
from rapport.plugins.sales.services.common import settings_of
from rapport.schema import Info, User, argument_row_id, context_of

__all__ = ["AnalyticsQueries"]

DEFAULT_COMMIT_PROBABILITY = 90


@strawberry.type(name="SalesFunnelStage", description="One stage of the funnel over a period.")
class FunnelStage:
    stage: Stage
    entered: int = strawberry.field(description="Opportunities that entered it in the period.")
    converted: int = strawberry.field(description="Of those, moved on to a later, not-lost stage.")
    conversion_rate: Decimal | None = strawberry.field(description="converted / entered.")
    median_days_in_stage: Decimal | None = strawberry.field(
        description="Median days before leaving it, over entries in the period that left."
    )


@strawberry.enum
class WinRateGroup(Enum):
    OWNER = "owner"
    TERRITORY = "territory"
    PIPELINE = "pipeline"


# The types a win rate or a forecast row is grouped by.
GROUP_TYPES = {"User": User, "Territory": Territory, "Pipeline": Pipeline}


@strawberry.type(description="won / (won + lost) among deals closed in the period.")
class WinRate:
    group_id: relay.GlobalID | None = strawberry.field(
        description="The owner (User), territory or pipeline; null: none set."
    )
    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal
    rate_by_count: Decimal | None
    rate_by_amount: Decimal | None

    @strawberry.field(description="The owner, territory or pipeline itself.")
    async def group(self, info: Info) -> relay.Node | None:
        return await node_named(info, GROUP_TYPES, self.group_id)


@strawberry.type(
    name="SalesForecastRow", description="Forecast figures for one owner, territory, or everyone."
)
class ForecastRow:
    group_id: relay.GlobalID | None
    closed: Decimal = strawberry.field(description="Won in the period.")
    weighted: Decimal = strawberry.field(description="closed + sum(open amount x probability).")
    committed: Decimal = strawberry.field(
        description="closed + open amounts at or above the commit probability."
    )
    best_case: Decimal = strawberry.field(description="closed + every open amount.")
    open_count: int
    quota: Decimal | None
    attainment: Decimal | None = strawberry.field(description="closed / quota.")

    @strawberry.field(description="The owner or territory itself; null for the total.")
    async def group(self, info: Info) -> relay.Node | None:
        return await node_named(info, GROUP_TYPES, self.group_id)


@strawberry.type(name="SalesForecast")
class Forecast:
    total: ForecastRow
    by_owner: list[ForecastRow]
    by_territory: list[ForecastRow]


@strawberry.type
class QuotaAttainment:
    quota: Quota
    achieved: Decimal = strawberry.field(description="Won amount in the quota's period.")
    attainment: Decimal | None = strawberry.field(description="achieved / quota amount.")


@strawberry.type
class CommissionLine:
    payment_id: relay.GlobalID
    family: str | None
    base_amount: Decimal
    rate: Decimal
    amount: Decimal
    multiplier: Decimal = strawberry.field(description="The tier multiplier in `rate`.")
    earned_at: datetime

    @strawberry.field(description="The payment that earned it.")
    async def payment(self, info: Info) -> Payment | None:
        return await node_named(info, {"Payment": Payment}, self.payment_id)


@strawberry.type
class CommissionStatement:
    user_id: relay.GlobalID
    currency: str
    total: Decimal
    lines: list[CommissionLine]

    @strawberry.field(description="Whose commission it is.")
    async def user(self, info: Info) -> User | None:
        return await node_named(info, {"User": User}, self.user_id)


_WIN_RATE_TYPES = {"owner": "User", "territory": "Territory", "pipeline": "Pipeline"}


def _forecast_row(row: analytics.ForecastRow, type_name: str) -> ForecastRow:
    return ForecastRow(
        group_id=global_id(type_name, row.key),
        closed=row.closed,
        weighted=row.weighted,
        committed=row.committed,
        best_case=row.best_case,
        open_count=row.open_count,
        quota=row.quota,
        attainment=row.attainment,
    )


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(description="Per stage of a pipeline: entered, converted, time in stage.")
    async def sales_funnel(
        self, info: Info, pipeline_id: relay.GlobalID, period: PeriodInput
    ) -> list[FunnelStage]:
        context = context_of(info)
        context.require(READ)
        pipeline = argument_row_id(pipeline_id, "Pipeline", "pipelineId")
        async with context.db() as session:
            rows = await analytics.sales_funnel(session, pipeline, period.to_period())
        return [
            FunnelStage(
                stage=Stage.from_model(row.stage),
                entered=row.entered,
                converted=row.converted,
                conversion_rate=row.conversion_rate,
                median_days_in_stage=row.median_days_in_stage,
            )
            for row in rows
        ]

    @strawberry.field(description="Win rate of deals closed in the period, by count and amount.")
    async def win_rate(
        self,
        info: Info,
        period: PeriodInput,
        group_by: WinRateGroup,
        currency: str | None = None,
    ) -> list[WinRate]:
        context = context_of(info)
        context.require(READ)
        async with context.db() as session:
            rows = await analytics.win_rate(session, period.to_period(), group_by.value, currency)
        return [
            WinRate(
                group_id=global_id(_WIN_RATE_TYPES[group_by.value], row.key),
                won=row.won,
                lost=row.lost,
                won_amount=row.won_amount,
                lost_amount=row.lost_amount,
                rate_by_count=row.rate_by_count,
                rate_by_amount=row.rate_by_amount,
            )
            for row in rows
        ]

    @strawberry.field(
        description="Weighted, committed and best-case pipeline against quota, per owner and "
        "territory (territories include their sub-territories). The commit probability is "
        "the setting `[sales] commit_probability` (default 90)."
    )
    async def forecast(
        self, info: Info, period: PeriodInput, currency: str | None = None
    ) -> Forecast:
        context = context_of(info)
        context.require(READ)
        commit = settings_of(context.settings).get("commit_probability", DEFAULT_COMMIT_PROBABILITY)
        async with context.db() as session:
            result = await analytics.forecast(session, period.to_period(), int(commit), currency)
        return Forecast(
            total=_forecast_row(result.total, "User"),
            by_owner=[_forecast_row(row, "User") for row in result.by_owner],
            by_territory=[_forecast_row(row, "Territory") for row in result.by_territory],
        )

    @strawberry.field(description="Each quota within the period against the amount won.")
    async def quota_attainment(
        self, info: Info, period: PeriodInput, currency: str | None = None
    ) -> list[QuotaAttainment]:
        context = context_of(info)
        context.require(READ)
        async with context.db() as session:
            rows = await analytics.quota_attainment(session, period.to_period(), currency)
        return [
            QuotaAttainment(
                quota=Quota.from_model(row.quota),
                achieved=row.achieved,
                attainment=row.attainment,
            )
            for row in rows
        ]

    @strawberry.field(description="Commission earned in the period, per user and currency.")
    async def commissions(
        self, info: Info, period: PeriodInput, user_id: relay.GlobalID | None = None
    ) -> list[CommissionStatement]:
        context = context_of(info)
        context.require(READ)
        user = argument_row_id(user_id, "User", "userId") if user_id is not None else None
        async with context.db() as session:
            rows = await analytics.commissions(session, period.to_period(), user)
        return [
            CommissionStatement(
                user_id=relay.GlobalID("User", str(row.user_id)),
                currency=row.currency,
                total=row.total,
                lines=[
                    CommissionLine(
                        payment_id=relay.GlobalID("Payment", str(line.payment_id)),
                        family=line.family,
                        base_amount=line.base_amount,
                        rate=line.rate,
                        amount=line.amount,
                        multiplier=line.multiplier,
                        earned_at=line.earned_at,
                    )
                    for line in row.lines
                ],
            )
            for row in rows
        ]
