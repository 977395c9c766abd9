"""Scorecards and training in GraphQL."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from rapport.core import DomainError, Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.config import banking_config
from rapport.plugins.banking.periods import Period, parse_period
from rapport.plugins.banking.schema.common import workspace_wide
from rapport.plugins.banking.schema.types import TrainingRecord
from rapport.plugins.banking.services.scorecards import compute_scorecard
from rapport.plugins.banking.services.training import record_training, training_balance
from rapport.schema import BadRequest, Info, User, UserError, context_of, mutate, row_id_of

__all__ = ["PerformanceMutations", "PerformanceQueries"]

SCORECARD_PERMISSION = "banking:scorecards:read"


@strawberry.type(description="A manager's indicators over a period and the incentive band.")
class Scorecard:
    period: str
    start: date
    end: date = strawberry.field(description="Last day counted (today for a running period).")
    clients_at_start: int
    clients_at_end: int
    aum_at_start: Decimal
    aum_at_end: Decimal
    aum_growth: float | None
    net_new_clients: int
    products_per_client: float | None = strawberry.field(description="Cross-sell ratio.")
    retention: float | None
    satisfaction: float | None = strawberry.field(description="Mean survey score, 0 to 10.")
    review_compliance: float | None
    score: float | None = strawberry.field(description="0 to 100.")
    band: str | None = strawberry.field(description="The incentive band the score falls in.")
    manager_pk: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def manager(self, info: Info) -> User | None:
        return await User.resolve_pk(info, self.manager_pk)


@strawberry.type(description="Training points a manager earned in a period.")
class TrainingBalance:
    period: str
    points: int
    courses: int
    minimum: int = strawberry.field(description="Points needed for renewal.")
    meets_minimum: bool
    shortfall: int


async def _visible_manager(session: AsyncSession, manager_id: uuid.UUID) -> bool:
    """Whether the caller may see this manager's profile (their own, their team's, or all)."""
    found = await session.execute(
        select(models.RelationshipManager.id).where(
            models.RelationshipManager.user_id == manager_id
        )
    )
    return found.first() is not None


@strawberry.type
class PerformanceQueries:
    @strawberry.field(
        description="A manager's scorecard for `YYYY`, `YYYY-Qn` or `YYYY-MM`; null for a "
        "manager the caller may not see."
    )
    async def manager_scorecard(
        self, info: Info, manager_id: relay.GlobalID, period: str
    ) -> Scorecard | None:
        context = context_of(info)
        context.require(SCORECARD_PERMISSION)
        config = banking_config(context.settings)
        manager = _user_id_or_none(manager_id)
        parsed = _period_or_bad_request(period)
        if manager is None:
            return None
        async with context.db() as session:
            if not await _visible_manager(session, manager):
                return None
        # The figures are the manager's, the same whoever may read them.
        async with workspace_wide(context) as session:
            card = await compute_scorecard(session, manager, parsed, config)
        return Scorecard(
            period=card.period.label,
            start=card.start,
            end=card.end,
            clients_at_start=card.clients_at_start,
            clients_at_end=card.clients_at_end,
            aum_at_start=card.aum_at_start,
            aum_at_end=card.aum_at_end,
            aum_growth=card.aum_growth,
            net_new_clients=card.net_new_clients,
            products_per_client=card.products_per_client,
            retention=card.retention,
            satisfaction=card.satisfaction,
            review_compliance=card.review_compliance,
            score=card.score,
            band=card.band,
            manager_pk=manager,
        )

    @strawberry.field(description="Training points of a manager in a period.")
    async def training_balance(
        self, info: Info, manager_id: relay.GlobalID, period: str
    ) -> TrainingBalance | None:
        context = context_of(info)
        context.require(SCORECARD_PERMISSION)
        minimum = banking_config(context.settings).training_minimum_points
        manager = _user_id_or_none(manager_id)
        parsed = _period_or_bad_request(period)
        if manager is None:
            return None
        async with context.db() as session:
            if not await _visible_manager(session, manager):
                return None
            balance = await training_balance(session, manager, parsed, minimum)
        return TrainingBalance(
            period=parsed.label,
            points=balance.points,
            courses=balance.courses,
            minimum=balance.minimum,
            meets_minimum=balance.meets_minimum,
            shortfall=balance.shortfall,
        )


def _user_id_or_none(value: relay.GlobalID) -> uuid.UUID | None:
    if value.type_name != "User":
        return None
    try:
        return uuid.UUID(value.node_id)
    except ValueError:
        return None


def _period_or_bad_request(period: str) -> Period:
    try:
        return parse_period(period)
    except DomainError as exc:
        raise BadRequest(f"period: {exc.errors[0].message}") from exc


@strawberry.input
class TrainingInput:
    manager_id: relay.GlobalID
    course: str
    points: int
    completed_on: date


@strawberry.type
class TrainingRecordPayload:
    training_record: TrainingRecord | None
    errors: list[UserError]


@strawberry.type
class PerformanceMutations:
    @strawberry.mutation
    async def record_training(self, info: Info, input: TrainingInput) -> TrainingRecordPayload:
        async def work(op: Operation) -> models.TrainingRecord:
            return await record_training(
                op,
                row_id_of(input.manager_id, "User", "input.managerId"),
                input.course,
                input.points,
                input.completed_on,
            )

        row, errors = await mutate(info, "banking:training:write", work)
        return TrainingRecordPayload(
            training_record=TrainingRecord.from_model(row) if row else None, errors=errors
        )
