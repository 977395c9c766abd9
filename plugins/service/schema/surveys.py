"""Satisfaction surveys in GraphQL: offering one, answering it with its token."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import SurveyInvitation as SurveyRow
from rapport.plugins.service.schema.common import READ, WRITE
from rapport.plugins.service.services import surveys as service
from rapport.schema import (
    Connection,
    Custom,
    DateTimeFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    order_input,
    row_id_of,
)

__all__ = ["SurveyInvitation", "SurveyMutations", "SurveyQueries"]


@strawberry.enum
class SurveyKind(Enum):
    CSAT = "CSAT"
    NPS = "NPS"


@strawberry.type(description="A survey offered for a solved case, and its answer.")
class SurveyInvitation(ModelNode):
    __model__ = SurveyRow
    __permission__ = READ
    __columns__ = columns(
        "kind",
        "team",
        "category",
        "sent_at",
        "responded_at",
        "score",
        "comment",
        case_id=Reference("Case", "case_id"),
        customer_id=Reference("Customer", "customer_id"),
        agent_id=Reference("User", "agent_id"),
    )

    id: relay.NodeID[str]
    case_id: relay.GlobalID
    customer_id: relay.GlobalID
    kind: SurveyKind
    agent_id: relay.GlobalID | None = strawberry.field(description="Rated, as at the offer.")
    team: str | None
    category: str | None
    sent_at: datetime
    responded_at: datetime | None
    score: int | None
    comment: str | None
    row: strawberry.Private[SurveyRow]


SURVEY_FILTERS = {
    "case": Filterable(IDFilter, SurveyRow.case_id),
    "customer": Filterable(IDFilter, SurveyRow.customer_id),
    "kind": Filterable(
        list[SurveyKind], Custom(lambda v: SurveyRow.kind.in_([k.value for k in v]))
    ),
    "answered": Filterable(
        bool,
        Custom(
            lambda v: SurveyRow.responded_at.is_not(None) if v else SurveyRow.responded_at.is_(None)
        ),
    ),
    "sent_at": Filterable(DateTimeFilter, SurveyRow.sent_at),
}


@filter_input(SURVEY_FILTERS, description="Conditions on survey invitations.")
class SurveyInvitationFilter: ...


@order_input({"SENT_AT": "sent_at"})
class SurveyInvitationOrder: ...


SURVEYS = filtered_listing(
    lambda: SurveyInvitation, SURVEY_FILTERS, [("sent_at", OrderDirection.DESC)]
)


@strawberry.type
class SurveyOfferPayload:
    invitation: SurveyInvitation | None
    token: str | None = strawberry.field(description="Give it to the customer; shown once.")
    errors: list[UserError]


@strawberry.type
class SurveyAnswerPayload:
    invitation: SurveyInvitation | None
    errors: list[UserError]


@strawberry.type
class SurveyQueries:
    survey_invitations: Connection[SurveyInvitation] = connection(
        SURVEYS, filter=SurveyInvitationFilter, order=SurveyInvitationOrder
    )


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(description="Offer a survey for a solved case (a new token each time).")
    async def offer_survey(
        self, info: Info, case_id: relay.GlobalID, kind: SurveyKind
    ) -> SurveyOfferPayload:
        async def work(op: Any) -> tuple[SurveyRow, str]:
            return await service.offer_survey(op, row_id_of(case_id, "Case", "caseId"), kind.value)

        result, errors = await mutate(info, WRITE, work)
        if result is None:
            return SurveyOfferPayload(invitation=None, token=None, errors=errors)
        row, token = result
        return SurveyOfferPayload(
            invitation=SurveyInvitation.from_model(row), token=token, errors=[]
        )

    @strawberry.mutation(description="Record the customer's answer; one answer per invitation.")
    async def answer_survey(
        self, info: Info, token: str, score: int, comment: str | None = None
    ) -> SurveyAnswerPayload:
        async def work(op: Any) -> SurveyRow:
            return await service.answer_survey(op, token, score, comment)

        row, errors = await mutate(info, WRITE, work)
        return SurveyAnswerPayload(
            invitation=SurveyInvitation.from_model(row) if row else None, errors=errors
        )
