"""The service tables: calendars, cases and their history, SLA policies and timers,
escalation, knowledge base, surveys, installed assets, field visits and service schedules.

A case's status history is the source of truth for its SLA timers; the timer rows are a cache
of what ``sla_clock`` computes from it, kept so that lists and the worker can filter on them in
SQL. Money is exact (:class:`rapport.core.Money`: ``NUMERIC(18, 2)``, whole cents on SQLite)
with its currency.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core import Base, JSONType, TenantMixin, TimestampMixin, tenant_fk
from rapport.core import Money as MoneyColumn

__all__ = [
    "Article",
    "ArticleFeedback",
    "ArticleVersion",
    "Asset",
    "BusinessCalendar",
    "CalendarDay",
    "Case",
    "CaseActivity",
    "CaseStatus",
    "CaseStatusChange",
    "CaseWatcher",
    "EscalationFiring",
    "EscalationRule",
    "ServiceSchedule",
    "SlaPolicy",
    "SlaTarget",
    "SlaTimer",
    "SurveyInvitation",
    "WorkOrder",
    "WorkOrderLine",
]

Money = MoneyColumn()
Quantity = Numeric(12, 2)


class BusinessCalendar(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_calendars"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64))
    # {"0": [["09:00", "12:00"], ["13:00", "17:00"]], ...}: Monday is "0".
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # A country's public holidays from the ``holidays`` library (ISO code, subdivision).
    holiday_country: Mapped[str | None] = mapped_column(String(2))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(10))
    is_default: Mapped[bool] = mapped_column(default=False)


class CalendarDay(TenantMixin, Base):
    """The workspace's own holidays (closed) and exceptions (other hours), dates or ranges."""

    __tablename__ = "service_calendar_days"
    __table_args__ = (
        tenant_fk("calendar_id", "service_calendars", ondelete="CASCADE"),
        Index("ix_service_calendar_days_ws_calendar", "workspace_id", "calendar_id"),
    )

    calendar_id: Mapped[uuid.UUID]
    first_day: Mapped[date]
    last_day: Mapped[date]
    # [["10:00", "14:00"]] opens with these hours instead; empty: closed (a holiday).
    windows: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    name: Mapped[str | None] = mapped_column(String(100))


class CaseStatus(TenantMixin, Base):
    """A workspace's own name for a status, mapped to one fixed category."""

    __tablename__ = "service_statuses"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)


class Asset(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_assets"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "product", "serial_number"),
        Index("ix_service_assets_ws_customer", "workspace_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID]
    product: Mapped[str] = mapped_column(String(200))
    serial_number: Mapped[str] = mapped_column(String(100))
    installed_at: Mapped[date | None]
    location: Mapped[str | None] = mapped_column(String(300))
    warranty_start: Mapped[date | None]
    warranty_end: Mapped[date | None]
    covers_parts: Mapped[bool] = mapped_column(default=False)
    covers_labour: Mapped[bool] = mapped_column(default=False)
    # ACTIVE | IN_REPAIR | RETIRED
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")


class SlaPolicy(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_sla_policies"
    __table_args__ = (
        tenant_fk("calendar_id", "service_calendars", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    # Lower first; the first active policy whose conditions all hold applies.
    position: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    # {"priorities": [...], "categories": [...], "channels": [...], "kinds": [...],
    #  "segments": [...], "keyClientTiers": [...]}; an absent or empty list matches anything.
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Business time is counted on this calendar (the default calendar when none).
    calendar_id: Mapped[uuid.UUID | None]


class SlaTarget(TenantMixin, Base):
    __tablename__ = "service_sla_targets"
    __table_args__ = (
        tenant_fk("policy_id", "service_sla_policies", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "policy_id", "metric"),
    )

    policy_id: Mapped[uuid.UUID]
    # FIRST_RESPONSE | NEXT_RESPONSE | RESOLUTION
    metric: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int]
    business_hours: Mapped[bool] = mapped_column(default=True)
    # Status categories during which this metric does not count.
    pause_on: Mapped[list[str]] = mapped_column(JSONType, default=list)
    warning_percent: Mapped[int] = mapped_column(default=80)


class Case(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_cases"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("contact_id", "customers", ondelete="SET NULL"),
        tenant_fk("assignee_id", "users", ondelete="SET NULL"),
        tenant_fk("asset_id", "service_assets", ondelete="SET NULL"),
        tenant_fk("status_id", "service_statuses", ondelete="SET NULL"),
        tenant_fk("duplicate_of_id", "service_cases", ondelete="SET NULL"),
        tenant_fk("policy_id", "service_sla_policies", ondelete="SET NULL"),
        tenant_fk("solution_article_id", "service_articles", ondelete="SET NULL"),
        Index("ix_service_cases_ws_customer", "workspace_id", "customer_id", "opened_at"),
        Index("ix_service_cases_ws_category", "workspace_id", "status_category", "opened_at"),
    )

    customer_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID | None]
    # REQUEST | INCIDENT | QUESTION | COMPLAINT
    kind: Mapped[str] = mapped_column(String(20), default="REQUEST")
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(100))
    subcategory: Mapped[str | None] = mapped_column(String(100))
    # LOW | NORMAL | HIGH | URGENT
    priority: Mapped[str] = mapped_column(String(10), default="NORMAL")
    severity: Mapped[int | None]
    assignee_id: Mapped[uuid.UUID | None]
    team: Mapped[str | None] = mapped_column(String(100))
    asset_id: Mapped[uuid.UUID | None]
    in_warranty: Mapped[bool | None]
    status_category: Mapped[str] = mapped_column(String(30), default="NEW")
    status_id: Mapped[uuid.UUID | None]
    duplicate_of_id: Mapped[uuid.UUID | None]
    root_cause: Mapped[str | None] = mapped_column(String(200))
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    solution_article_id: Mapped[uuid.UUID | None]
    policy_id: Mapped[uuid.UUID | None]
    opened_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The last public reply or status change: "no update for N hours" counts from here.
    last_update_at: Mapped[datetime]
    reopen_count: Mapped[int] = mapped_column(default=0)


class CaseStatusChange(TenantMixin, Base):
    """Every status a case went through, its first one included: what SLA timers read."""

    __tablename__ = "service_case_status_changes"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        tenant_fk("status_id", "service_statuses", ondelete="SET NULL"),
        tenant_fk("actor_id", "users", ondelete="SET NULL"),
        Index("ix_service_status_changes_ws_case", "workspace_id", "case_id", "changed_at"),
    )

    case_id: Mapped[uuid.UUID]
    changed_at: Mapped[datetime]
    from_category: Mapped[str | None] = mapped_column(String(30))
    to_category: Mapped[str] = mapped_column(String(30))
    status_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(String(300))


class CaseActivity(TenantMixin, Base):
    """What happened to a case besides its status: assignment, priority, escalation, ..."""

    __tablename__ = "service_case_activities"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        tenant_fk("actor_id", "users", ondelete="SET NULL"),
        Index("ix_service_case_activities_ws_case", "workspace_id", "case_id", "happened_at"),
    )

    case_id: Mapped[uuid.UUID]
    happened_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    actor_id: Mapped[uuid.UUID | None]


class CaseWatcher(TenantMixin, Base):
    __tablename__ = "service_case_watchers"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "case_id", "user_id"),
    )

    case_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]


class SlaTimer(TenantMixin, Base):
    __tablename__ = "service_sla_timers"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "case_id", "metric"),
        Index("ix_service_sla_timers_ws_due", "workspace_id", "state", "target_at"),
    )

    case_id: Mapped[uuid.UUID]
    metric: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime]
    target_at: Mapped[datetime | None]
    warning_at: Mapped[datetime | None]
    target_seconds: Mapped[int]
    business_hours: Mapped[bool]
    elapsed_seconds: Mapped[int]
    paused_seconds: Mapped[int]
    breached_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # When ``sla.warning`` was emitted for this run of the timer (once per run).
    warned_at: Mapped[datetime | None]
    computed_at: Mapped[datetime]


class EscalationRule(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_escalation_rules"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    # WARNING | BREACH (of ``metric``) | NO_UPDATE (for ``idle_minutes`` of business time)
    trigger: Mapped[str] = mapped_column(String(12))
    metric: Mapped[str | None] = mapped_column(String(20))
    idle_minutes: Mapped[int | None]
    # Levels fire one after another: level 2 only once level 1 has fired on the case.
    level: Mapped[int] = mapped_column(default=1)
    # NOTIFY | REASSIGN | RAISE_PRIORITY | ADD_WATCHER
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[uuid.UUID | None]
    team: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)


class EscalationFiring(TenantMixin, Base):
    """A rule fired once on a case (for one timer run): what makes escalation idempotent."""

    __tablename__ = "service_escalation_firings"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        tenant_fk("rule_id", "service_escalation_rules", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "case_id", "rule_id", "occasion"),
    )

    case_id: Mapped[uuid.UUID]
    rule_id: Mapped[uuid.UUID]
    # What it fired for (the timer's start, the idle stretch's start), so a new run fires anew.
    occasion: Mapped[str] = mapped_column(String(40))
    level: Mapped[int]
    fired_at: Mapped[datetime]


class Article(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_articles"
    __table_args__ = (Index("ix_service_articles_ws_status", "workspace_id", "status"),)

    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, info={"max_length": 200_000})
    category: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    # DRAFT | PUBLISHED | ARCHIVED
    status: Mapped[str] = mapped_column(String(12), default="DRAFT")
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[datetime | None]
    helpful_count: Mapped[int] = mapped_column(default=0)
    unhelpful_count: Mapped[int] = mapped_column(default=0)


class ArticleVersion(TenantMixin, Base):
    __tablename__ = "service_article_versions"
    __table_args__ = (
        tenant_fk("article_id", "service_articles", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "article_id", "version"),
    )

    article_id: Mapped[uuid.UUID]
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, info={"max_length": 200_000})
    saved_at: Mapped[datetime]


class ArticleFeedback(TenantMixin, Base):
    __tablename__ = "service_article_feedback"
    __table_args__ = (
        tenant_fk("article_id", "service_articles", ondelete="CASCADE"),
        tenant_fk("case_id", "service_cases", ondelete="SET NULL"),
        Index("ix_service_article_feedback_ws_article", "workspace_id", "article_id"),
    )

    article_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID | None]
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    given_at: Mapped[datetime]


class SurveyInvitation(TenantMixin, Base):
    __tablename__ = "service_survey_invitations"
    __table_args__ = (
        tenant_fk("case_id", "service_cases", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("agent_id", "users", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "case_id", "kind"),
        UniqueConstraint("workspace_id", "token_hash"),
        Index("ix_service_surveys_ws_sent", "workspace_id", "sent_at"),
    )

    case_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    # CSAT (1-5) | NPS (0-10)
    kind: Mapped[str] = mapped_column(String(4))
    # Who and what it rates, as they were when the case was resolved.
    agent_id: Mapped[uuid.UUID | None]
    team: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime]
    # SHA-256 of the token the customer answers with; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    responded_at: Mapped[datetime | None]
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)


class WorkOrder(TenantMixin, TimestampMixin, Base):
    __tablename__ = "service_work_orders"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("case_id", "service_cases", ondelete="SET NULL"),
        tenant_fk("asset_id", "service_assets", ondelete="SET NULL"),
        tenant_fk("technician_id", "users", ondelete="SET NULL"),
        tenant_fk("schedule_id", "service_schedules", ondelete="SET NULL"),
        Index("ix_service_work_orders_ws_customer", "workspace_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID]
    case_id: Mapped[uuid.UUID | None]
    asset_id: Mapped[uuid.UUID | None]
    schedule_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(300))
    # NEW | SCHEDULED | DISPATCHED | IN_PROGRESS | COMPLETED | CANCELLED
    status: Mapped[str] = mapped_column(String(12), default="NEW")
    technician_id: Mapped[uuid.UUID | None]
    arrival_from: Mapped[datetime | None]
    arrival_until: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    sign_off_note: Mapped[str | None] = mapped_column(Text)


class WorkOrderLine(TenantMixin, Base):
    __tablename__ = "service_work_order_lines"
    __table_args__ = (
        tenant_fk("work_order_id", "service_work_orders", ondelete="CASCADE"),
        Index("ix_service_work_order_lines_ws_order", "workspace_id", "work_order_id"),
    )

    work_order_id: Mapped[uuid.UUID]
    # PART | LABOUR
    kind: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    # Covered by the asset's warranty (parts or labour), so not charged.
    covered: Mapped[bool] = mapped_column(default=False)


class ServiceSchedule(TenantMixin, TimestampMixin, Base):
    """A periodic callback: a recurring visit or task for a customer or one of its assets."""

    __tablename__ = "service_schedules"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("asset_id", "service_assets", ondelete="CASCADE"),
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        Index("ix_service_schedules_ws_due", "workspace_id", "active", "next_at"),
    )

    customer_id: Mapped[uuid.UUID]
    asset_id: Mapped[uuid.UUID | None]
    owner_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(300))
    # VISIT (a work order) | TASK (a core task)
    creates: Mapped[str] = mapped_column(String(6))
    # A core recurrence rule: FREQ=...;INTERVAL=...;COUNT=...
    recurrence: Mapped[str] = mapped_column(String(100))
    next_at: Mapped[datetime]
    created_count: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
