"""The events sales emits, one class per event type."""

from __future__ import annotations

import uuid
from decimal import Decimal

from rapport.core import Event, EventType

__all__ = ["LEAD_TRANSITIONS", "QUOTE_TRANSITIONS", "SALES_EVENT_TYPES"]


class LeadCreated(Event, name="lead.created", entity_type="Lead"):
    id: uuid.UUID


class _LeadTransition(Event, entity_type="Lead"):
    id: uuid.UUID
    status: str


class LeadWorking(_LeadTransition, name="lead.working"):
    """Work on a lead started."""


class LeadQualified(_LeadTransition, name="lead.qualified"):
    """A lead was qualified."""


class LeadDisqualified(_LeadTransition, name="lead.disqualified"):
    """A lead was disqualified, with the reason."""


class LeadConverted(Event, name="lead.converted", entity_type="Lead"):
    id: uuid.UUID
    customer_id: uuid.UUID
    opportunity_id: uuid.UUID


class OpportunityCreated(Event, name="opportunity.created", entity_type="Opportunity"):
    id: uuid.UUID
    customer_id: uuid.UUID
    stage_id: uuid.UUID


class OpportunityUpdated(Event, name="opportunity.updated", entity_type="Opportunity"):
    id: uuid.UUID
    fields: tuple[str, ...]


class OpportunityStageChanged(Event, name="opportunity.stage_changed", entity_type="Opportunity"):
    id: uuid.UUID
    from_stage_id: uuid.UUID
    to_stage_id: uuid.UUID
    category: str
    amount: Decimal
    currency: str


class OpportunityReopened(OpportunityStageChanged, name="opportunity.reopened"):
    """A closed opportunity was reopened."""


class OpportunityWon(OpportunityStageChanged, name="opportunity.won"):
    """An opportunity reached a won stage."""


class OpportunityLost(OpportunityStageChanged, name="opportunity.lost"):
    lost_reason: str | None
    competitor: str | None


class OpportunityBigDeal(Event, name="opportunity.big_deal", entity_type="Opportunity"):
    id: uuid.UUID
    amount: Decimal
    currency: str
    threshold: Decimal
    customer_id: uuid.UUID


class _QuoteTransition(Event, entity_type="Quote"):
    id: uuid.UUID
    total: Decimal
    currency: str


class QuoteSent(_QuoteTransition, name="quote.sent"):
    """A quote was sent to the customer."""


class QuoteAccepted(_QuoteTransition, name="quote.accepted"):
    """A quote was accepted."""


class QuoteRejected(_QuoteTransition, name="quote.rejected"):
    """A quote was rejected."""


class QuoteExpired(_QuoteTransition, name="quote.expired"):
    """A quote expired."""


class OrderCreated(Event, name="order.created", entity_type="Order"):
    id: uuid.UUID
    total: Decimal
    currency: str
    customer_id: uuid.UUID


class PaymentReceived(Event, name="payment.received", entity_type="Payment"):
    id: uuid.UUID
    amount: Decimal
    currency: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None


# The event each status change emits.
LEAD_TRANSITIONS: dict[str, type[_LeadTransition]] = {
    "working": LeadWorking,
    "qualified": LeadQualified,
    "disqualified": LeadDisqualified,
}
QUOTE_TRANSITIONS: dict[str, type[_QuoteTransition]] = {
    "sent": QuoteSent,
    "accepted": QuoteAccepted,
    "rejected": QuoteRejected,
    "expired": QuoteExpired,
}

SALES_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(LeadCreated, "a lead was created"),
    EventType(LeadWorking, "work on a lead started"),
    EventType(LeadQualified, "a lead was qualified"),
    EventType(LeadDisqualified, "a lead was disqualified, with the reason"),
    EventType(LeadConverted, "a lead became a customer and an opportunity"),
    EventType(OpportunityCreated, "an opportunity was opened"),
    EventType(OpportunityUpdated, "an opportunity's fields changed"),
    EventType(OpportunityStageChanged, "an opportunity moved to another stage"),
    EventType(OpportunityWon, "an opportunity reached a won stage"),
    EventType(OpportunityLost, "an opportunity reached a lost stage"),
    EventType(OpportunityReopened, "a closed opportunity was reopened"),
    EventType(OpportunityBigDeal, "an opportunity's amount reached the big-deal threshold"),
    EventType(QuoteSent, "a quote was sent to the customer"),
    EventType(QuoteAccepted, "a quote was accepted"),
    EventType(QuoteRejected, "a quote was rejected"),
    EventType(QuoteExpired, "a quote expired"),
    EventType(OrderCreated, "an order was placed from an accepted quote"),
    EventType(PaymentReceived, "a payment was received"),
)
