"""Customer insights in GraphQL: ``Customer.insights``, recomputation and grade overrides."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.dataloader import DataLoader

from rapport.core.insights import recompute_insights
from rapport.core.insights.overrides import override_value_grade
from rapport.core.models import CustomerInsight
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError
from rapport.schema.mutations import mutate
from rapport.schema.relay import optional_row_id_of, row_id_of

__all__ = ["CustomerInsightFields", "InsightMutations"]

READ = "customers:read"
MANAGE = "insights:manage"


@strawberry.type(description="Recency, frequency and money over the insight window.")
class Rfm:
    recency_days: int | None = strawberry.field(description="Days since the last purchase.")
    frequency: int
    monetary: Decimal
    recency_score: int | None = strawberry.field(description="1-5, 5 the most recent fifth.")
    frequency_score: int | None
    monetary_score: int | None
    segment: str | None = strawberry.field(description="champions, loyal, at_risk, lost, ...")


@strawberry.type
class ChurnReason:
    reason: str
    weight: float


@strawberry.type(description="How likely the customer is to leave, in [0, 1], and why.")
class ChurnRisk:
    score: float
    reasons: list[ChurnReason]


@strawberry.type(description="What insights computed for a customer, and when.")
class CustomerInsights:
    computed_at: strawberry.Private[Any]
    currency: str = strawberry.field(description="The reporting currency of the amounts.")
    rfm: Rfm
    realised_value: Decimal
    potential_value: Decimal
    lifetime_value: Decimal | None = strawberry.field(
        description="Predicted value over the horizon, discounted."
    )
    lifetime_value_method: str | None = strawberry.field(description="bgnbd or margin_retention")
    expected_purchases: float | None
    p_alive: float | None = strawberry.field(description="Chance the customer is still active.")
    churn_risk: ChurnRisk
    value_grade: str | None = strawberry.field(description="The override, else the derived one.")
    derived_value_grade: str | None
    value_grade_overridden: bool

    @classmethod
    def from_row(cls, row: CustomerInsight) -> CustomerInsights:
        return cls(
            computed_at=row.computed_at,
            currency=row.currency,
            rfm=Rfm(
                recency_days=row.recency_days,
                frequency=row.frequency,
                monetary=row.monetary,
                recency_score=row.recency_score,
                frequency_score=row.frequency_score,
                monetary_score=row.monetary_score,
                segment=row.segment,
            ),
            realised_value=row.realised_value,
            potential_value=row.potential_value,
            lifetime_value=row.lifetime_value,
            lifetime_value_method=row.lifetime_value_method,
            expected_purchases=row.expected_purchases,
            p_alive=row.p_alive,
            churn_risk=ChurnRisk(
                score=row.churn_risk,
                reasons=[ChurnReason(**reason) for reason in row.churn_reasons],
            ),
            value_grade=row.grade_override or row.derived_grade,
            derived_value_grade=row.derived_grade,
            value_grade_overridden=row.grade_override is not None,
        )


def _insights_loader(context: Any) -> DataLoader[uuid.UUID, CustomerInsight | None]:
    async def load(keys: Any) -> list[CustomerInsight | None]:
        statement = select(CustomerInsight).where(CustomerInsight.customer_id.in_(list(keys)))
        async with context.db() as session:
            found = {row.customer_id: row for row in (await session.execute(statement)).scalars()}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


@strawberry.type
class CustomerInsightFields:
    @strawberry.field(description="RFM, lifetime value, churn risk and grade; null until computed.")
    async def insights(self: Any, info: Info) -> CustomerInsights | None:
        context = context_of(info)
        context.require(READ)
        loader = context.loader_for(("core", "insights"), _insights_loader)
        row = await loader.load(self.pk)
        return CustomerInsights.from_row(row) if row is not None else None


@strawberry.type
class RecomputeInsightsPayload:
    recomputed: int
    errors: list[UserError]


@strawberry.type
class OverrideValueGradePayload:
    insights: CustomerInsights | None
    errors: list[UserError]


@strawberry.type
class InsightMutations:
    @strawberry.mutation(
        description="Recompute one customer's insights now, or every customer's without an id."
    )
    async def recompute_insights(
        self, info: Info, customer_id: relay.GlobalID | None = None
    ) -> RecomputeInsightsPayload:
        async def work(op: Any) -> int:
            wanted = optional_row_id_of(customer_id, "Customer", "customerId")
            return await recompute_insights(op, None if wanted is None else [wanted])

        count, errors = await mutate(info, MANAGE, work)
        return RecomputeInsightsPayload(recomputed=count or 0, errors=errors)

    @strawberry.mutation(
        description="Set a customer's value grade by hand (A-D); null goes back to the derived "
        "grade. Kept across recomputations, and audited."
    )
    async def override_value_grade(
        self, info: Info, customer_id: relay.GlobalID, grade: str | None
    ) -> OverrideValueGradePayload:
        async def work(op: Any) -> CustomerInsight:
            row_id = row_id_of(customer_id, "Customer", "customerId")
            return await override_value_grade(op, row_id, grade)

        row, errors = await mutate(info, MANAGE, work)
        return OverrideValueGradePayload(
            insights=CustomerInsights.from_row(row) if row else None, errors=errors
        )
