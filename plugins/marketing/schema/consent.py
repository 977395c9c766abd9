"""Consent in GraphQL: statements per customer or lead, and recording a new one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.marketing.models import Consent as ConsentRow
from rapport.plugins.marketing.schema.common import READ, WRITE, ConsentStatus
from rapport.plugins.marketing.services import consent as service
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
    StringFilter,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    optional_row_id_of,
    order_input,
)

__all__ = [
    "CONSENTS",
    "Consent",
    "ConsentFilter",
    "ConsentMutations",
    "ConsentOrder",
    "ConsentQueries",
]


@strawberry.type(
    description="One statement of consent; the newest per channel and topic is in force. "
    "Channel `all` opted out is do-not-contact."
)
class Consent(ModelNode):
    __model__ = ConsentRow
    __permission__ = READ
    __columns__ = columns(
        "channel",
        "topic",
        "status",
        "legal_basis",
        "recorded_at",
        "source",
        "evidence",
        customer_id=Reference("Customer", "customer_id"),
        lead_id=Reference("Lead", "lead_id"),
    )

    id: relay.NodeID[str]
    channel: str
    topic: str = strawberry.field(description="Empty: every topic of the channel.")
    status: ConsentStatus
    legal_basis: str | None
    recorded_at: datetime
    source: str | None
    evidence: str | None
    customer_id: relay.GlobalID | None
    lead_id: relay.GlobalID | None
    row: strawberry.Private[ConsentRow]


CONSENT_FILTERS = {
    "customer": Filterable(IDFilter, ConsentRow.customer_id),
    "lead": Filterable(IDFilter, ConsentRow.lead_id),
    "channel": Filterable(StringFilter, ConsentRow.channel),
    "topic": Filterable(StringFilter, ConsentRow.topic),
    "status": Filterable(ConsentStatus, Custom(lambda v: ConsentRow.status == v.value)),
    "recorded_at": Filterable(DateTimeFilter, ConsentRow.recorded_at),
}


@filter_input(CONSENT_FILTERS, description="Conditions on consent statements; all given must hold.")
class ConsentFilter: ...


@order_input({"RECORDED_AT": "recorded_at"}, direction=OrderDirection.DESC)
class ConsentOrder: ...


CONSENTS = filtered_listing(
    lambda: Consent, CONSENT_FILTERS, [("recorded_at", OrderDirection.DESC)]
)


@strawberry.type
class ConsentQueries:
    consents: Connection[Consent] = connection(
        CONSENTS,
        filter=ConsentFilter,
        order=ConsentOrder,
        description="Consent statements, newest first.",
    )


@strawberry.input
class ConsentInput:
    customer_id: relay.GlobalID | None = None
    lead_id: relay.GlobalID | None = None
    channel: str = strawberry.field(description="A campaign channel, or `all`.")
    topic: str | None = None
    status: ConsentStatus
    legal_basis: str | None = strawberry.field(
        default=None,
        description="consent, contract, legal_obligation, vital_interest, public_task or "
        "legitimate_interest; required to opt in.",
    )
    source: str | None = None
    evidence: str | None = None
    recorded_at: datetime | None = None


@strawberry.type
class ConsentPayload:
    consent: Consent | None
    errors: list[UserError]


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(description="Add a statement; earlier ones stay as history.")
    async def record_consent(self, info: Info, input: ConsentInput) -> ConsentPayload:
        async def work(op: Any) -> ConsentRow:
            return await service.record_consent(
                op,
                service.ConsentFields(
                    channel=input.channel.strip(),
                    status=input.status.value,
                    customer_id=optional_row_id_of(
                        input.customer_id, "Customer", "input.customerId"
                    ),
                    lead_id=optional_row_id_of(input.lead_id, "Lead", "input.leadId"),
                    topic=input.topic,
                    legal_basis=input.legal_basis,
                    source=input.source,
                    evidence=input.evidence,
                    recorded_at=input.recorded_at,
                ),
            )

        row, errors = await mutate(info, WRITE, work)
        return ConsentPayload(consent=Consent.from_model(row) if row else None, errors=errors)
