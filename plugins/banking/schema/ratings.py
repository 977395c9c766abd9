"""Risk ratings and their reviews in GraphQL."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from rapport.core import Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.access import today
from rapport.plugins.banking.schema.common import customer_pk
from rapport.plugins.banking.schema.types import RiskKind, RiskRating
from rapport.plugins.banking.services import ratings as service
from rapport.schema import Connection, SortKey, UserError, context_of, mutate, paginate

__all__ = ["RatingMutations", "RatingQueries"]


@strawberry.type
class RatingQueries:
    @strawberry.field(
        description="Current ratings due for review before a day (default today), the most "
        "overdue first; only clients the caller may see."
    )
    async def reviews_due(
        self,
        info: Info,
        before: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RiskRating]:
        context = context_of(info)
        context.require("banking:read")
        row = models.RiskRating
        return await paginate(
            context,
            select(row).where(service.overdue_condition(before or today())),
            keys=[SortKey(row.next_review_on), SortKey(row.id)],
            to_node=RiskRating.from_model,
            first=first,
            after=after,
        )


@strawberry.input
class RiskRatingInput:
    customer_id: relay.GlobalID
    kind: RiskKind
    rating: str
    next_review_on: date
    rated_at: datetime | None = None
    notes: str | None = None


@strawberry.type
class RiskRatingPayload:
    rating: RiskRating | None
    errors: list[UserError]


@strawberry.type
class RaiseReviewTasksPayload:
    tasks_created: int
    errors: list[UserError]


@strawberry.type
class RatingMutations:
    @strawberry.mutation(description="Rate a client; supersedes their rating of that kind.")
    async def rate_risk(self, info: Info, input: RiskRatingInput) -> RiskRatingPayload:
        async def work(op: Operation) -> models.RiskRating:
            data = service.RatingFields(
                customer_id=customer_pk(input.customer_id, "input.customerId"),
                kind=input.kind.value,
                rating=input.rating,
                next_review_on=input.next_review_on,
                rated_at=input.rated_at,
                notes=input.notes,
            )
            return await service.rate_customer(op, data)

        row, errors = await mutate(info, "banking:write", work)
        return RiskRatingPayload(rating=RiskRating.from_model(row) if row else None, errors=errors)

    @strawberry.mutation(
        description="Create a task for the primary manager of every overdue review that has "
        "no open task yet; running it again creates none twice."
    )
    async def raise_overdue_review_tasks(self, info: Info) -> RaiseReviewTasksPayload:
        async def work(op: Operation) -> int:
            return len(await service.raise_overdue_review_tasks(op))

        created, errors = await mutate(info, "banking:manage", work)
        return RaiseReviewTasksPayload(tasks_created=created or 0, errors=errors)
