"""Lead scoring in GraphQL: rules, scores with their breakdown, the qualifying threshold."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.marketing.models import Score as ScoreRow
from rapport.plugins.marketing.models import ScoringRule as RuleRow
from rapport.plugins.marketing.schema.common import MANAGE, READ, WRITE
from rapport.plugins.marketing.services import scoring as service
from rapport.schema import (
    JSON,
    Connection,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    optional_row_id_of,
    order_input,
    row_id_of,
)

__all__ = ["Score", "ScoringMutations", "ScoringQueries", "ScoringRule"]


@strawberry.type(description="Points for who someone is (fit) or what they did (engagement).")
class ScoringRule(ModelNode):
    __model__ = RuleRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "kind",
        "attribute",
        "value",
        "points",
        "half_life_days",
        segment_id=Reference("Segment", "segment_id"),
    )

    id: relay.NodeID[str]
    name: str
    kind: str = strawberry.field(description="fit or engagement.")
    attribute: str | None
    value: str | None
    points: int
    half_life_days: int | None = strawberry.field(description="Engagement halves this often.")
    segment_id: relay.GlobalID | None
    row: strawberry.Private[RuleRow]


@strawberry.type(description="A lead's or customer's score and the rules that make it up.")
class Score(ModelNode):
    __model__ = ScoreRow
    __permission__ = READ
    __columns__ = columns(
        "fit",
        "engagement",
        "total",
        "breakdown",
        "computed_at",
        "qualified_at",
        customer_id=Reference("Customer", "customer_id"),
        lead_id=Reference("Lead", "lead_id"),
    )

    id: relay.NodeID[str]
    fit: Decimal
    engagement: Decimal
    total: Decimal
    breakdown: JSON = strawberry.field(description="[{rule, kind, points, count}], summing to it.")
    computed_at: datetime
    qualified_at: datetime | None = strawberry.field(
        description="When a lead first reached the qualifying score."
    )
    customer_id: relay.GlobalID | None
    lead_id: relay.GlobalID | None
    row: strawberry.Private[ScoreRow]


RULE_FILTERS = {
    "name": Filterable(StringFilter, RuleRow.name),
    "kind": Filterable(StringFilter, RuleRow.kind),
}


@filter_input(RULE_FILTERS, description="Conditions on scoring rules.")
class ScoringRuleFilter: ...


@order_input({"NAME": "name", "POINTS": "points"})
class ScoringRuleOrder: ...


RULES = filtered_listing(lambda: ScoringRule, RULE_FILTERS, [("name", OrderDirection.ASC)])


@strawberry.type
class ScoringQueries:
    scoring_rules: Connection[ScoringRule] = connection(
        RULES, filter=ScoringRuleFilter, order=ScoringRuleOrder, description="Scoring rules."
    )


@strawberry.input
class ScoringRuleInput:
    name: str
    kind: str = strawberry.field(description="fit or engagement.")
    points: int
    attribute: str | None = strawberry.field(
        default=None,
        description="Fit: industry, occupation, region, age_band (such as 35_44), "
        "lifecycle_status or lead_source.",
    )
    value: str | None = strawberry.field(
        default=None, description="Fit: the attribute's value. Engagement: a status name, or any."
    )
    segment_id: relay.GlobalID | None = None
    half_life_days: int | None = None


@strawberry.type
class ScoringRulePayload:
    rule: ScoringRule | None
    errors: list[UserError]


@strawberry.type
class ScorePayload:
    score: Score | None
    errors: list[UserError]


@strawberry.type
class QualifyScorePayload:
    qualify_score: int | None
    errors: list[UserError]


@strawberry.type
class ScoringMutations:
    @strawberry.mutation
    async def create_scoring_rule(self, info: Info, input: ScoringRuleInput) -> ScoringRulePayload:
        async def work(op: Any) -> RuleRow:
            return await service.create_rule(
                op,
                service.RuleFields(
                    name=input.name,
                    kind=input.kind,
                    points=input.points,
                    attribute=input.attribute,
                    value=input.value,
                    segment_id=optional_row_id_of(input.segment_id, "Segment", "input.segmentId"),
                    half_life_days=input.half_life_days,
                ),
            )

        row, errors = await mutate(info, MANAGE, work)
        return ScoringRulePayload(rule=ScoringRule.from_model(row) if row else None, errors=errors)

    @strawberry.mutation
    async def delete_scoring_rule(self, info: Info, id: relay.GlobalID) -> ScoringRulePayload:
        async def work(op: Any) -> RuleRow:
            return await service.delete_rule(op, row_id_of(id, "ScoringRule", "id"))

        row, errors = await mutate(info, MANAGE, work)
        return ScoringRulePayload(rule=ScoringRule.from_model(row) if row else None, errors=errors)

    @strawberry.mutation(description="The score at which a lead becomes marketing-qualified.")
    async def set_qualify_score(self, info: Info, score: int) -> QualifyScorePayload:
        async def work(op: Any) -> int:
            return await service.set_qualify_score(op, score)

        value, errors = await mutate(info, MANAGE, work)
        return QualifyScorePayload(qualify_score=value, errors=errors)

    @strawberry.mutation(description="Recompute a lead's score now (after changing the rules).")
    async def score_lead(self, info: Info, lead_id: relay.GlobalID) -> ScorePayload:
        async def work(op: Any) -> ScoreRow:
            return await service.score_subject(op, lead_id=row_id_of(lead_id, "Lead", "leadId"))

        row, errors = await mutate(info, WRITE, work)
        return ScorePayload(score=Score.from_model(row) if row else None, errors=errors)

    @strawberry.mutation(description="Recompute a customer's score now.")
    async def score_customer(self, info: Info, customer_id: relay.GlobalID) -> ScorePayload:
        async def work(op: Any) -> ScoreRow:
            return await service.score_subject(
                op, customer_id=row_id_of(customer_id, "Customer", "customerId")
            )

        row, errors = await mutate(info, WRITE, work)
        return ScorePayload(score=Score.from_model(row) if row else None, errors=errors)
