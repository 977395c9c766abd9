"""Lead capture forms in GraphQL: definitions, and the public address each is served at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.marketing.config import marketing_config
from rapport.plugins.marketing.models import LeadForm as FormRow
from rapport.plugins.marketing.schema.campaigns import Campaign
from rapport.plugins.marketing.schema.common import MANAGE, READ
from rapport.plugins.marketing.services import forms as service
from rapport.schema import (
    JSON,
    BooleanFilter,
    Connection,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToOne,
    UserError,
    columns,
    connection,
    context_of,
    filter_input,
    filtered_listing,
    mutate,
    order_input,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = ["LeadForm", "LeadFormMutations", "LeadFormQueries"]


@strawberry.type(description="A public form that captures leads for a campaign.")
class LeadForm(ModelNode):
    __model__ = FormRow
    __permission__ = READ
    __columns__ = columns(
        "key",
        "name",
        "fields",
        "consents",
        "allowed_origins",
        "honeypot",
        "dedupe_minutes",
        "per_ip_per_minute",
        "per_form_per_minute",
        "active",
        "created_at",
        campaign_id=Reference("Campaign", "campaign_id"),
    )

    id: relay.NodeID[str]
    key: str = strawberry.field(description="Submissions go to POST /forms/{key}.")
    name: str
    fields: JSON = strawberry.field(description="Form field -> lead field.")
    consents: JSON = strawberry.field(description="Checkbox field -> email topic it opts in to.")
    allowed_origins: list[str]
    honeypot: str = strawberry.field(description="A field people leave empty and robots fill.")
    dedupe_minutes: int
    per_ip_per_minute: int
    per_form_per_minute: int
    active: bool
    created_at: datetime
    campaign_id: relay.GlobalID
    row: strawberry.Private[FormRow]

    campaign: Campaign | None = related(ToOne(lambda: Campaign, lambda s: s.row.campaign_id))

    @strawberry.field(description="The address the form posts to.")
    def url(self, info: Info) -> str:
        config = marketing_config(context_of(info).settings)
        return f"{config.public_url.rstrip('/')}/forms/{self.key}"


FORM_FILTERS = {
    "campaign": Filterable(IDFilter, FormRow.campaign_id),
    "name": Filterable(StringFilter, FormRow.name),
    "active": Filterable(BooleanFilter, FormRow.active),
}


@filter_input(FORM_FILTERS, description="Conditions on lead forms; all given must hold.")
class LeadFormFilter: ...


@order_input({"NAME": "name", "CREATED_AT": "created_at"})
class LeadFormOrder: ...


FORMS = filtered_listing(lambda: LeadForm, FORM_FILTERS, [("name", OrderDirection.ASC)])


@strawberry.type
class LeadFormQueries:
    lead_forms: Connection[LeadForm] = connection(
        FORMS, filter=LeadFormFilter, order=LeadFormOrder, description="Lead capture forms."
    )


@strawberry.input(
    description="The fields to change: a field left out is kept; a form needs every one of "
    "them, so an explicit null is refused."
)
class UpdateLeadFormInput:
    name: str | None = strawberry.UNSET
    fields: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Form field -> first_name, last_name, company, email or phone.",
    )
    consents: JSON | None = strawberry.UNSET
    allowed_origins: list[str] | None = strawberry.UNSET
    honeypot: str | None = strawberry.UNSET
    dedupe_minutes: int | None = strawberry.UNSET
    per_ip_per_minute: int | None = strawberry.UNSET
    per_form_per_minute: int | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET

    def to_fields(self) -> service.FormFields:
        return to_service_fields(self, service.FormFields)


@strawberry.input(description="A new form: its name and the fields it maps (email among them).")
class CreateLeadFormInput(UpdateLeadFormInput):
    name: str
    fields: JSON = strawberry.field(
        description="Form field -> first_name, last_name, company, email or phone."
    )


@strawberry.type
class LeadFormPayload:
    form: LeadForm | None
    errors: list[UserError]


def _form(result: tuple[Any, list[UserError]]) -> LeadFormPayload:
    row, errors = result
    return LeadFormPayload(form=LeadForm.from_model(row) if row else None, errors=errors)


@strawberry.type
class LeadFormMutations:
    @strawberry.mutation
    async def create_lead_form(
        self, info: Info, campaign_id: relay.GlobalID, input: CreateLeadFormInput
    ) -> LeadFormPayload:
        async def work(op: Any) -> FormRow:
            campaign = row_id_of(campaign_id, "Campaign", "campaignId")
            return await service.create_form(op, campaign, input.to_fields())

        return _form(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_lead_form(
        self, info: Info, id: relay.GlobalID, input: UpdateLeadFormInput
    ) -> LeadFormPayload:
        async def work(op: Any) -> FormRow:
            return await service.update_form(op, row_id_of(id, "LeadForm", "id"), input.to_fields())

        return _form(await mutate(info, MANAGE, work))
