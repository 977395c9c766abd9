"""Leads in GraphQL: the type, lists, and the status transitions with conversion."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.sales.models import Lead as LeadRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
)
from rapport.plugins.sales.schema.opportunities import Opportunity
from rapport.plugins.sales.services import leads as service
from rapport.schema import (
    Connection,
    Custom,
    Customer,
    DateTimeFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    optional_row_id_of,
    order_input,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = ["Lead", "LeadMutations", "LeadQueries"]


@strawberry.enum
class LeadStatus(Enum):
    NEW = "new"
    WORKING = "working"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    CONVERTED = "converted"


LEAD_OWNER = ToOne(lambda: User, lambda scope: scope.row.owner_id)
LEAD_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
LEAD_OPPORTUNITY = ToOne(lambda: Opportunity, lambda scope: scope.row.opportunity_id)


@strawberry.type(description="Someone who may become a customer: new, worked, then qualified.")
class Lead(ModelNode):
    __model__ = LeadRow
    __permission__ = READ
    __columns__ = columns(
        "first_name",
        "last_name",
        "company",
        "email",
        "phone",
        "source",
        "status",
        "disqualify_reason",
        "converted_at",
        "created_at",
        owner_id=Reference("User", "owner_id"),
        customer_id=Reference("Customer", "customer_id"),
    )

    id: relay.NodeID[str]
    first_name: str | None
    last_name: str | None
    company: str | None
    email: str | None
    phone: str | None
    source: str | None
    status: LeadStatus
    owner_id: relay.GlobalID | None
    disqualify_reason: str | None
    customer_id: relay.GlobalID | None = strawberry.field(description="Set on conversion.")
    converted_at: datetime | None
    created_at: datetime
    row: strawberry.Private[LeadRow]

    opportunity: Opportunity | None = related(
        LEAD_OPPORTUNITY, description="The opportunity opened on conversion."
    )

    owner: User | None = related(LEAD_OWNER, description="The user working it.")

    customer: Customer | None = related(LEAD_CUSTOMER, description="The customer it became.")


LEAD_FILTERS = {
    "status": Filterable(
        list[LeadStatus], Custom(lambda v: LeadRow.status.in_([s.value for s in v]))
    ),
    "last_name": Filterable(StringFilter, LeadRow.last_name),
    "company": Filterable(StringFilter, LeadRow.company),
    "email": Filterable(StringFilter, LeadRow.email),
    "source": Filterable(StringFilter, LeadRow.source),
    "owner": Filterable(IDFilter, LeadRow.owner_id),
    "created_at": Filterable(DateTimeFilter, LeadRow.created_at),
}


@filter_input(LEAD_FILTERS, description="Conditions on leads; all given conditions must hold.")
class LeadFilter: ...


@order_input({"CREATED_AT": "created_at", "STATUS": "status"})
class LeadOrder: ...


LEADS = filtered_listing(lambda: Lead, LEAD_FILTERS, [("created_at", OrderDirection.ASC)])


@strawberry.type
class LeadQueries:
    leads: Connection[Lead] = connection(
        LEADS,
        filter=LeadFilter,
        order=LeadOrder,
        description="Leads, filtered and ordered, a page at a time.",
    )


@strawberry.input(
    description="A lead's fields (a name or a company at least). On update a field left out "
    "is kept and an explicit null clears it."
)
class LeadInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    source: str | None = strawberry.UNSET
    owner_id: relay.GlobalID | None = strawberry.UNSET

    def to_fields(self) -> service.LeadFields:
        return to_service_fields(self, service.LeadFields, id_types={"owner_id": "User"})


@strawberry.input(description="Link an existing customer or leave empty to create one.")
class ConvertLeadInput:
    customer_id: relay.GlobalID | None = None
    opportunity_name: str | None = None
    amount: Decimal | None = None
    currency: str
    pipeline_id: relay.GlobalID | None = None
    expected_close_date: date | None = None
    source_campaign_id: str | None = None


@strawberry.type
class LeadPayload:
    lead: Lead | None
    errors: list[UserError]


@strawberry.type
class ConvertLeadPayload:
    lead: Lead | None
    opportunity: Opportunity | None
    errors: list[UserError]

    @strawberry.field(description="The customer the lead became (linked or created).")
    async def customer(self, info: Info) -> Customer | None:
        if self.lead is None:
            return None
        return await Customer.resolve_pk(info, self.lead.row.customer_id)


def _lead(result: tuple[Any, list[UserError]]) -> LeadPayload:
    row, errors = result
    return LeadPayload(lead=Lead.from_model(row) if row else None, errors=errors)


@strawberry.type
class LeadMutations:
    @strawberry.mutation
    async def create_lead(self, info: Info, input: LeadInput) -> LeadPayload:
        async def work(op: Any) -> LeadRow:
            return await service.create_lead(op, input.to_fields())

        return _lead(await mutate(info, WRITE, work))

    @strawberry.mutation
    async def update_lead(self, info: Info, id: relay.GlobalID, input: LeadInput) -> LeadPayload:
        async def work(op: Any) -> LeadRow:
            return await service.update_lead(op, row_id_of(id, "Lead", "id"), input.to_fields())

        return _lead(await mutate(info, WRITE, work))

    @strawberry.mutation(description="new -> working.")
    async def start_working_lead(self, info: Info, id: relay.GlobalID) -> LeadPayload:
        async def work(op: Any) -> LeadRow:
            return await service.start_working_lead(op, row_id_of(id, "Lead", "id"))

        return _lead(await mutate(info, WRITE, work))

    @strawberry.mutation(description="working -> qualified.")
    async def qualify_lead(self, info: Info, id: relay.GlobalID) -> LeadPayload:
        async def work(op: Any) -> LeadRow:
            return await service.qualify_lead(op, row_id_of(id, "Lead", "id"))

        return _lead(await mutate(info, WRITE, work))

    @strawberry.mutation(description="new or working -> disqualified, with the reason.")
    async def disqualify_lead(self, info: Info, id: relay.GlobalID, reason: str) -> LeadPayload:
        async def work(op: Any) -> LeadRow:
            return await service.disqualify_lead(op, row_id_of(id, "Lead", "id"), reason)

        return _lead(await mutate(info, WRITE, work))

    @strawberry.mutation(
        description="qualified -> converted: the customer (linked or created) and an "
        "opportunity, in one transaction."
    )
    async def convert_lead(
        self, info: Info, id: relay.GlobalID, input: ConvertLeadInput
    ) -> ConvertLeadPayload:
        async def work(op: Any) -> Any:
            return await service.convert_lead(
                op,
                row_id_of(id, "Lead", "id"),
                service.ConversionFields(
                    customer_id=optional_row_id_of(
                        input.customer_id, "Customer", "input.customerId"
                    ),
                    opportunity_name=input.opportunity_name,
                    amount=input.amount,
                    currency=input.currency,
                    pipeline_id=optional_row_id_of(
                        input.pipeline_id, "Pipeline", "input.pipelineId"
                    ),
                    expected_close_date=input.expected_close_date,
                    source_campaign_id=input.source_campaign_id,
                ),
            )

        result, errors = await mutate(info, WRITE, work)
        if result is None:
            return ConvertLeadPayload(lead=None, opportunity=None, errors=errors)
        lead, opportunity = result
        return ConvertLeadPayload(
            lead=Lead.from_model(lead), opportunity=Opportunity.from_model(opportunity), errors=[]
        )
