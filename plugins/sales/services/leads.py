"""Leads: new -> working -> qualified | disqualified, and conversion of a qualified lead.

Conversion creates (or links) the customer through the core customer service and opens an
opportunity, in the caller's one transaction, and records both ids on the lead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapport.core import (
    ContactPointFields,
    CustomerFields,
    FieldValues,
    InvalidTransition,
    Operation,
    add_contact_point,
    apply_changes,
    create_customer,
    get_customer,
    normalize_contact,
    phone_region,
    utcnow,
)
from rapport.plugins.sales.events import LEAD_TRANSITIONS, LeadConverted, LeadCreated
from rapport.plugins.sales.models import Lead, Opportunity
from rapport.plugins.sales.services.common import Problems, get_row
from rapport.plugins.sales.services.opportunities import OpportunityFields, create_opportunity

__all__ = [
    "LEAD_STATUSES",
    "ConversionFields",
    "LeadFields",
    "convert_lead",
    "create_lead",
    "disqualify_lead",
    "qualify_lead",
    "start_working_lead",
    "update_lead",
]

LEAD_STATUSES = ("new", "working", "qualified", "disqualified", "converted")


@dataclass
class LeadFields(FieldValues):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    owner_id: uuid.UUID | None = None

    def given(self) -> dict[str, object]:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in super().given().items()}


async def _validate(op: Operation, fields: dict[str, object], merged: dict[str, object]) -> None:
    problems = Problems()
    if not any(merged.get(k) for k in ("first_name", "last_name", "company")):
        problems.required("lastName", None, "a lead needs a name or a company")
    # Checked as core checks contact points, so conversion can carry them over.
    for kind in ("email", "phone"):
        value = fields.get(kind)
        if isinstance(value, str) and value:
            try:
                normalize_contact(kind, value, await phone_region(op))
            except ValueError as bad:
                problems.add(kind, str(bad))
    owner = fields.get("owner_id")
    await problems.user(op, "ownerId", owner if isinstance(owner, uuid.UUID) else None)
    problems.raise_if_any()


async def create_lead(op: Operation, data: LeadFields) -> Lead:
    fields = data.given()
    await _validate(op, fields, fields)
    fields.setdefault("owner_id", op.actor.user_id)
    lead = Lead(workspace_id=op.workspace_id, status="new", **fields)
    op.session.add(lead)
    await op.session.flush()
    op.audit("Lead", lead.id, "create", {"status": [None, "new"]})
    await op.emit(LeadCreated(id=lead.id))
    return lead


async def update_lead(op: Operation, lead_id: uuid.UUID, data: LeadFields) -> Lead:
    lead = await get_row(op, Lead, lead_id, "id", "lead")
    if lead.status == "converted":
        raise InvalidTransition("id", "a converted lead is read-only")
    fields = data.patch(Lead)
    current = {k: getattr(lead, k) for k in LeadFields.names()}
    await _validate(op, fields, current | fields)
    changes = apply_changes(lead, fields)
    if changes:
        await op.session.flush()
        op.audit("Lead", lead.id, "update", changes)
    return lead


async def _transition(
    op: Operation, lead_id: uuid.UUID, allowed_from: tuple[str, ...], to: str, **extra: object
) -> Lead:
    lead = await get_row(op, Lead, lead_id, "id", "lead")
    if lead.status not in allowed_from:
        raise InvalidTransition(
            "id", f"a {lead.status} lead cannot become {to} (only from {', '.join(allowed_from)})"
        )
    changes = apply_changes(lead, {"status": to, **extra})
    await op.session.flush()
    op.audit("Lead", lead.id, "transition", changes)
    await op.emit(LEAD_TRANSITIONS[to](id=lead.id, status=to))
    return lead


async def start_working_lead(op: Operation, lead_id: uuid.UUID) -> Lead:
    return await _transition(op, lead_id, ("new",), "working")


async def qualify_lead(op: Operation, lead_id: uuid.UUID) -> Lead:
    return await _transition(op, lead_id, ("working",), "qualified")


async def disqualify_lead(op: Operation, lead_id: uuid.UUID, reason: str | None) -> Lead:
    problems = Problems("")
    problems.required("reason", reason, "say why the lead is disqualified")
    problems.raise_if_any()
    assert reason is not None
    return await _transition(
        op, lead_id, ("new", "working"), "disqualified", disqualify_reason=reason.strip()
    )


@dataclass
class ConversionFields:
    """How to convert: link ``customer_id`` or create a customer from the lead; the deal."""

    customer_id: uuid.UUID | None = None
    opportunity_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    pipeline_id: uuid.UUID | None = None
    expected_close_date: date | None = None
    source_campaign_id: str | None = None


async def _customer_for(op: Operation, lead: Lead, customer_id: uuid.UUID | None) -> uuid.UUID:
    if customer_id is not None:
        return (await get_customer(op, customer_id, "input.customerId")).id
    person = bool(lead.first_name or lead.last_name)
    customer = await create_customer(
        op,
        CustomerFields(
            kind="person" if person else "organization",
            first_name=lead.first_name if person else None,
            last_name=lead.last_name if person else None,
            organization_name=None if person else lead.company,
            lifecycle_status="prospect",
            owner_id=lead.owner_id,
            source_channel=lead.source,
        ),
        # Errors here are in the lead's own fields.
        prefix="lead.",
    )
    for kind, value in (("email", lead.email), ("phone", lead.phone)):
        if value:
            await add_contact_point(
                op,
                customer.id,
                ContactPointFields(kind=kind, value=value, is_primary=True),
                prefix=f"lead.{kind}.",
            )
    return customer.id


async def convert_lead(
    op: Operation, lead_id: uuid.UUID, data: ConversionFields
) -> tuple[Lead, Opportunity]:
    lead = await get_row(op, Lead, lead_id, "id", "lead")
    if lead.status != "qualified":
        raise InvalidTransition("id", f"only a qualified lead converts; this one is {lead.status}")
    customer_id = await _customer_for(op, lead, data.customer_id)
    name = (
        data.opportunity_name
        or lead.company
        or " ".join(p for p in (lead.first_name, lead.last_name) if p)
    )
    opportunity = await create_opportunity(
        op,
        OpportunityFields(
            name=name,
            customer_id=customer_id,
            owner_id=lead.owner_id,
            pipeline_id=data.pipeline_id,
            amount=data.amount,
            currency=data.currency,
            expected_close_date=data.expected_close_date,
            source_campaign_id=data.source_campaign_id,
            lead_id=lead.id,
        ),
    )
    changes = apply_changes(
        lead,
        {
            "status": "converted",
            "customer_id": customer_id,
            "opportunity_id": opportunity.id,
            "converted_at": utcnow(),
        },
    )
    await op.session.flush()
    op.audit("Lead", lead.id, "convert", changes, customer_id=customer_id)
    await op.emit(LeadConverted(id=lead.id, customer_id=customer_id, opportunity_id=opportunity.id))
    return lead, opportunity
