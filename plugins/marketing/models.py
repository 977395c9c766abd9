"""The marketing tables: segments, campaigns and their members, responses and costs, consent,
lead capture forms and lead scores.

Money is exact (:class:`rapport.core.Money`: ``NUMERIC(18, 2)``, whole cents on SQLite) in the
campaign's currency. A member is a customer or a lead (one of the two); every change of its
status is kept as a response row, so attribution and response rates are computed from history
rather than from the member's current status.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core import Base, JSONType, TenantMixin, TimestampMixin, tenant_fk, utcnow
from rapport.core import Money as MoneyColumn

__all__ = [
    "Campaign",
    "CampaignChannel",
    "CampaignCost",
    "CampaignMember",
    "CampaignSegment",
    "Consent",
    "FormSubmission",
    "LeadForm",
    "MarketingSettings",
    "MemberResponse",
    "MemberStatus",
    "OpportunitySource",
    "Score",
    "ScoringRule",
    "Segment",
    "SegmentLink",
    "SegmentMember",
]

Money = MoneyColumn()


class Segment(TenantMixin, TimestampMixin, Base):
    __tablename__ = "marketing_segments"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # dynamic: evaluated when read | snapshot: the members stored at the last refresh
    kind: Mapped[str] = mapped_column(String(10), default="dynamic")
    # The `customers(filter:)` input as GraphQL variables write it; null matches nobody, so a
    # segment may be made of other segments alone.
    filter: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    refreshed_at: Mapped[datetime | None]
    member_count: Mapped[int | None]


class SegmentLink(TenantMixin, Base):
    """Another segment whose members this one adds (include) or removes (exclude)."""

    __tablename__ = "marketing_segment_links"
    __table_args__ = (
        tenant_fk("segment_id", "marketing_segments", ondelete="CASCADE"),
        tenant_fk("other_id", "marketing_segments", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "segment_id", "other_id"),
    )

    segment_id: Mapped[uuid.UUID]
    other_id: Mapped[uuid.UUID]
    # include | exclude
    mode: Mapped[str] = mapped_column(String(10))


class SegmentMember(TenantMixin, Base):
    """A snapshot segment's membership as of its last refresh."""

    __tablename__ = "marketing_segment_members"
    __table_args__ = (
        tenant_fk("segment_id", "marketing_segments", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "segment_id", "customer_id"),
    )

    segment_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]


class CampaignChannel(TenantMixin, Base):
    """A channel a workspace added beside the built-in ones."""

    __tablename__ = "marketing_channels"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))


class Campaign(TenantMixin, TimestampMixin, Base):
    __tablename__ = "marketing_campaigns"
    __table_args__ = (
        tenant_fk("parent_id", "marketing_campaigns", ondelete="SET NULL"),
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "name"),
        Index("ix_marketing_campaigns_ws_parent", "workspace_id", "parent_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(40))
    # planned -> active -> completed | aborted
    status: Mapped[str] = mapped_column(String(10), default="planned")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3))
    budget: Mapped[Decimal | None] = mapped_column(Money)
    expected_revenue: Mapped[Decimal | None] = mapped_column(Money)
    expected_response: Mapped[int | None]
    owner_id: Mapped[uuid.UUID | None]
    # The email of an EMAIL campaign: `{first_name}`-style fields are filled per member.
    email_subject: Mapped[str | None] = mapped_column(String(300))
    email_body: Mapped[str | None] = mapped_column(Text, info={"max_length": 200_000})
    email_from: Mapped[str | None] = mapped_column(String(320))
    # The subscription topic the email is sent under (consent is asked per topic).
    topic: Mapped[str | None] = mapped_column(String(60))


class CampaignSegment(TenantMixin, Base):
    __tablename__ = "marketing_campaign_segments"
    __table_args__ = (
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        tenant_fk("segment_id", "marketing_segments", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "campaign_id", "segment_id"),
    )

    campaign_id: Mapped[uuid.UUID]
    segment_id: Mapped[uuid.UUID]


class MemberStatus(TenantMixin, Base):
    __tablename__ = "marketing_member_statuses"
    __table_args__ = (
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "campaign_id", "name"),
    )

    campaign_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(60))
    responded: Mapped[bool] = mapped_column(default=False)
    is_default: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class CampaignMember(TenantMixin, TimestampMixin, Base):
    __tablename__ = "marketing_campaign_members"
    __table_args__ = (
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("lead_id", "sales_leads", ondelete="CASCADE"),
        tenant_fk("status_id", "marketing_member_statuses"),
        tenant_fk("segment_id", "marketing_segments", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "campaign_id", "customer_id"),
        UniqueConstraint("workspace_id", "campaign_id", "lead_id"),
        CheckConstraint(
            "(customer_id IS NULL) <> (lead_id IS NULL)", name="member_is_customer_or_lead"
        ),
        Index("ix_marketing_members_ws_customer", "workspace_id", "customer_id"),
        Index("ix_marketing_members_ws_lead", "workspace_id", "lead_id"),
    )

    campaign_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    lead_id: Mapped[uuid.UUID | None]
    status_id: Mapped[uuid.UUID]
    first_responded_at: Mapped[datetime | None]
    segment_id: Mapped[uuid.UUID | None]
    # Email delivery: pending | sent | bounced | failed (null for other channels).
    delivery: Mapped[str | None] = mapped_column(String(10))
    delivery_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]


class MemberResponse(TenantMixin, Base):
    """One status a member entered, with when and from where it was reported."""

    __tablename__ = "marketing_member_responses"
    __table_args__ = (
        tenant_fk("member_id", "marketing_campaign_members", ondelete="CASCADE"),
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        tenant_fk("status_id", "marketing_member_statuses"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("lead_id", "sales_leads", ondelete="CASCADE"),
        Index("ix_marketing_responses_ws_customer", "workspace_id", "customer_id", "occurred_at"),
        Index("ix_marketing_responses_ws_lead", "workspace_id", "lead_id", "occurred_at"),
        Index("ix_marketing_responses_ws_member", "workspace_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID]
    # Copied from the member so attribution joins responses to opportunities directly.
    campaign_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    lead_id: Mapped[uuid.UUID | None]
    status_id: Mapped[uuid.UUID]
    responded: Mapped[bool]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(100))


class CampaignCost(TenantMixin, TimestampMixin, Base):
    __tablename__ = "marketing_campaign_costs"
    __table_args__ = (
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        Index("ix_marketing_costs_ws_campaign", "workspace_id", "campaign_id"),
    )

    campaign_id: Mapped[uuid.UUID]
    category: Mapped[str] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    incurred_on: Mapped[date]
    supplier: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100))
    approved: Mapped[bool] = mapped_column(default=False)


class Consent(TenantMixin, Base):
    """One statement of consent; the newest per subject, channel and topic is the one in force.

    Rows are never updated or deleted, so an opt-out keeps the history it ends. Channel
    ``all`` with an opt-out is the global do-not-contact.
    """

    __tablename__ = "marketing_consents"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("lead_id", "sales_leads", ondelete="CASCADE"),
        CheckConstraint(
            "(customer_id IS NULL) <> (lead_id IS NULL)", name="consent_is_customer_or_lead"
        ),
        Index("ix_marketing_consents_ws_customer", "workspace_id", "customer_id", "channel"),
        Index("ix_marketing_consents_ws_lead", "workspace_id", "lead_id", "channel"),
    )

    customer_id: Mapped[uuid.UUID | None]
    lead_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(40))
    # Empty string: every topic of the channel.
    topic: Mapped[str] = mapped_column(String(60), default="")
    # opted_in | opted_out
    status: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(100))
    evidence: Mapped[str | None] = mapped_column(Text)


class OpportunitySource(TenantMixin, Base):
    """The campaign an opportunity names as its source, resolved to the campaign's id."""

    __tablename__ = "marketing_opportunity_sources"
    __table_args__ = (
        tenant_fk("opportunity_id", "sales_opportunities", ondelete="CASCADE"),
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "opportunity_id"),
    )

    opportunity_id: Mapped[uuid.UUID]
    campaign_id: Mapped[uuid.UUID]


class LeadForm(TenantMixin, TimestampMixin, Base):
    __tablename__ = "marketing_forms"
    __table_args__ = (
        tenant_fk("campaign_id", "marketing_campaigns", ondelete="CASCADE"),
        # The key is the public address: 144 random bits, so unique across workspaces in
        # practice; the constraint is per workspace, as a table distributed by workspace needs,
        # and the public endpoint finds a form by its key alone through the index.
        UniqueConstraint("workspace_id", "key"),
        Index("ix_marketing_forms_key", "key"),
    )

    campaign_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # form field name -> lead field (first_name, last_name, company, email, phone)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # form field name -> consent topic, for checkboxes that opt in to email on that topic
    consents: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    allowed_origins: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    honeypot: Mapped[str] = mapped_column(String(60), default="website")
    dedupe_minutes: Mapped[int] = mapped_column(default=60)
    per_ip_per_minute: Mapped[int] = mapped_column(default=5)
    per_form_per_minute: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)


class FormSubmission(TenantMixin, Base):
    __tablename__ = "marketing_form_submissions"
    __table_args__ = (
        tenant_fk("form_id", "marketing_forms", ondelete="CASCADE"),
        tenant_fk("lead_id", "sales_leads", ondelete="SET NULL"),
        Index("ix_marketing_submissions_ws_form", "workspace_id", "form_id", "submitted_at"),
    )

    form_id: Mapped[uuid.UUID]
    client_ip: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(320))
    lead_id: Mapped[uuid.UUID | None]
    duplicate: Mapped[bool] = mapped_column(default=False)
    utm: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoringRule(TenantMixin, TimestampMixin, Base):
    """Points for a fit (who they are) or an engagement (what they did) condition."""

    __tablename__ = "marketing_scoring_rules"
    __table_args__ = (
        tenant_fk("segment_id", "marketing_segments", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    # fit: `attribute` equals `value`, or membership of `segment_id`
    # engagement: each response (`value`: a status name, or empty for any responded status)
    kind: Mapped[str] = mapped_column(String(12))
    attribute: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(String(200))
    segment_id: Mapped[uuid.UUID | None]
    points: Mapped[int]
    # Engagement points halve every this many days (null: no decay).
    half_life_days: Mapped[int | None]


class Score(TenantMixin, Base):
    __tablename__ = "marketing_scores"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("lead_id", "sales_leads", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "customer_id"),
        UniqueConstraint("workspace_id", "lead_id"),
    )

    customer_id: Mapped[uuid.UUID | None]
    lead_id: Mapped[uuid.UUID | None]
    fit: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    engagement: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # [{"rule": name, "kind": ..., "points": "12.50"}, ...]
    breakdown: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    qualified_at: Mapped[datetime | None]


class MarketingSettings(TenantMixin, Base):
    """Per workspace: the key unsubscribe links are signed with and the qualifying score."""

    __tablename__ = "marketing_settings"

    signing_key: Mapped[str] = mapped_column(String(64))
    qualify_score: Mapped[int] = mapped_column(default=50)
