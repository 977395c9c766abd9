"""The events marketing emits, one class per event type."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

from rapport.core import Event, EventType

__all__ = [
    "CAMPAIGN_TRANSITIONS",
    "MARKETING_EVENT_TYPES",
    "CampaignAborted",
    "CampaignActivated",
    "CampaignCompleted",
    "CampaignCostRecorded",
    "CampaignCreated",
    "CampaignEmailSent",
    "CampaignMemberResponded",
    "CampaignMembersAdded",
    "CampaignUpdated",
    "ConsentRecorded",
    "CustomerScored",
    "FormSubmitted",
    "LeadMarketingQualified",
    "LeadScored",
    "SegmentCreated",
    "SegmentRefreshed",
    "SegmentUpdated",
]


class SegmentCreated(Event, name="segment.created", entity_type="Segment"):
    id: uuid.UUID
    kind: str


class SegmentUpdated(Event, name="segment.updated", entity_type="Segment"):
    id: uuid.UUID
    fields: tuple[str, ...]


class SegmentRefreshed(Event, name="segment.refreshed", entity_type="Segment"):
    id: uuid.UUID
    member_count: int


class CampaignCreated(Event, name="campaign.created", entity_type="Campaign"):
    id: uuid.UUID
    channel: str


class CampaignUpdated(Event, name="campaign.updated", entity_type="Campaign"):
    id: uuid.UUID
    fields: tuple[str, ...]


class _CampaignTransition(Event, entity_type="Campaign"):
    id: uuid.UUID
    status: str


class CampaignActivated(_CampaignTransition, name="campaign.activated"):
    """A campaign started."""


class CampaignCompleted(_CampaignTransition, name="campaign.completed"):
    """A campaign finished."""


class CampaignAborted(_CampaignTransition, name="campaign.aborted"):
    """A campaign was stopped before its end."""


class CampaignMembersAdded(Event, name="campaign.members_added", entity_type="Campaign"):
    id: uuid.UUID
    segment_id: uuid.UUID | None  # None: one customer or lead added by hand
    added: int
    excluded: Mapping[str, int]  # exclusion reason -> customers left out for it


class CampaignMemberResponded(
    Event, name="campaign.member_responded", entity_type="CampaignMember"
):
    id: uuid.UUID
    campaign_id: uuid.UUID
    status: str
    responded: bool
    customer_id: uuid.UUID | None
    lead_id: uuid.UUID | None


class CampaignCostRecorded(Event, name="campaign.cost_recorded", entity_type="CampaignCost"):
    id: uuid.UUID
    campaign_id: uuid.UUID
    amount: Decimal
    approved: bool


class CampaignEmailSent(Event, name="campaign.email_sent", entity_type="Campaign"):
    id: uuid.UUID
    sent: int


class ConsentRecorded(Event, name="consent.recorded", entity_type="Consent"):
    id: uuid.UUID
    channel: str
    topic: str  # empty: every topic of the channel
    status: str
    customer_id: uuid.UUID | None
    lead_id: uuid.UUID | None


class FormSubmitted(Event, name="form.submitted", entity_type="LeadForm"):
    id: uuid.UUID
    lead_id: uuid.UUID
    campaign_id: uuid.UUID


class LeadScored(Event, name="lead.scored", entity_type="Lead"):
    id: uuid.UUID
    total: Decimal


class CustomerScored(Event, name="customer.scored", entity_type="Customer"):
    id: uuid.UUID
    total: Decimal


class LeadMarketingQualified(Event, name="lead.marketing_qualified", entity_type="Lead"):
    id: uuid.UUID
    total: Decimal
    threshold: int


# The event each campaign status change emits.
CAMPAIGN_TRANSITIONS: dict[str, type[_CampaignTransition]] = {
    "active": CampaignActivated,
    "completed": CampaignCompleted,
    "aborted": CampaignAborted,
}

MARKETING_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(SegmentCreated, "a segment was defined"),
    EventType(SegmentUpdated, "a segment's definition changed"),
    EventType(SegmentRefreshed, "a snapshot segment's membership was recomputed"),
    EventType(CampaignCreated, "a campaign was planned"),
    EventType(CampaignUpdated, "a campaign's fields changed"),
    EventType(CampaignActivated, "a campaign started"),
    EventType(CampaignCompleted, "a campaign finished"),
    EventType(CampaignAborted, "a campaign was stopped before its end"),
    EventType(CampaignMembersAdded, "customers or leads were added to a campaign"),
    EventType(CampaignMemberResponded, "a campaign member's status changed"),
    EventType(CampaignCostRecorded, "a cost line was recorded or approved"),
    EventType(CampaignEmailSent, "a campaign email went out to its pending members"),
    EventType(ConsentRecorded, "a customer or lead gave or withdrew consent"),
    EventType(FormSubmitted, "a lead capture form was submitted"),
    EventType(LeadScored, "a lead's score was recomputed"),
    EventType(CustomerScored, "a customer's score was recomputed"),
    EventType(LeadMarketingQualified, "a lead's score reached the qualifying threshold"),
)
