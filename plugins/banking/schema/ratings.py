"""Risk ratings and their reviews in GraphQL."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import ColumnElement
from strawberry import relay

from rapport.core import Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.access import today
from rapport.plugins.banking.schema.types import RiskKind, RiskRating, RiskRatingOrder
from rapport.plugins.banking.services import ratings as service
from rapport.schema import (
    Connection,
    Info,
    Listing,
    OrderDirection,
    Scope,
    UserError,
    mutate,
    order_keys,
    read_page,
    reads,
    row_id_of,
)

__all__ = ["RatingMutations", "RatingQueries"]


def _due(scope: Scope) -> list[ColumnElement[bool]]:
    # The field's own `before` (a day) shares its name with a connection's cursor argument:
    # the resolver passes it on as `due_before`, and the compiler, which reads `before` as a
    # cursor, leaves queries that give it to the resolver.
    return [service.overdue_condition(scope.args.get("due_before") or today())]


REVIEWS_DUE = Listing(
    target=lambda: RiskRating,
    where=_due,
    keys=lambda scope: order_keys(
        models.RiskRating, scope.args.get("order_by"), [("next_review_on", OrderDirection.ASC)]
    ),
)


@strawberry.type
class RatingQueries:
    @strawberry.field(
        metadata=reads(REVIEWS_DUE),
        description="Current ratings due for review before a day (default today), the most "
        "overdue first; only clients the caller may see.",
    )
    async def reviews_due(
        self,
        info: Info,
        before: date | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: list[RiskRatingOrder] | None = None,
    ) -> Connection[RiskRating]:
        return await read_page(
            info, REVIEWS_DUE, first=first, after=after, due_before=before, order_by=order_by
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
                customer_id=row_id_of(input.customer_id, "Customer", "input.customerId"),
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
