"""The events service emits, one class per event type."""

from __future__ import annotations

import uuid
from datetime import datetime

from rapport.core import Event, EventType

__all__ = [
    "SERVICE_EVENT_TYPES",
    "ArticlePublished",
    "AssetInstalled",
    "CaseAssigned",
    "CaseClosed",
    "CaseEscalated",
    "CaseOpened",
    "CaseReopened",
    "CaseReplied",
    "CaseResolved",
    "CaseStatusChanged",
    "CaseUpdated",
    "SlaBreached",
    "SlaWarning",
    "SurveyAnswered",
    "SurveySent",
    "VisitStatusChanged",
]


class CaseOpened(Event, name="case.opened", entity_type="Case"):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    priority: str
    channel: str
    policy_id: uuid.UUID | None


class CaseUpdated(Event, name="case.updated", entity_type="Case"):
    id: uuid.UUID
    changes: tuple[str, ...]  # the fields that changed


class CaseAssigned(Event, name="case.assigned", entity_type="Case"):
    id: uuid.UUID
    assignee_id: uuid.UUID | None
    team: str | None


class CaseStatusChanged(Event, name="case.status_changed", entity_type="Case"):
    id: uuid.UUID
    from_category: str
    to_category: str


class CaseResolved(Event, name="case.resolved", entity_type="Case"):
    id: uuid.UUID
    customer_id: uuid.UUID


class CaseClosed(Event, name="case.closed", entity_type="Case"):
    id: uuid.UUID
    customer_id: uuid.UUID


class CaseReopened(Event, name="case.reopened", entity_type="Case"):
    id: uuid.UUID
    reopen_count: int


class CaseReplied(Event, name="case.replied", entity_type="Case"):
    id: uuid.UUID
    entry_type: str  # PUBLIC_REPLY, CUSTOMER_MESSAGE or INTERNAL_NOTE
    entry_id: uuid.UUID  # the interaction


class CaseEscalated(Event, name="case.escalated", entity_type="Case"):
    id: uuid.UUID
    rule_id: uuid.UUID
    rule: str
    level: int
    trigger: str
    occasion: str
    action: str
    user_id: uuid.UUID | None = None
    team: str | None = None
    # RAISE_PRIORITY: the priority before and after (equal at the highest already).
    from_priority: str | None = None
    to_priority: str | None = None


class SlaWarning(Event, name="sla.warning", entity_type="Case"):
    id: uuid.UUID  # the case
    metric: str


class SlaBreached(Event, name="sla.breached", entity_type="Case"):
    id: uuid.UUID  # the case
    metric: str
    breached_at: datetime | None


class ArticlePublished(Event, name="article.published", entity_type="Article"):
    id: uuid.UUID
    version: int


class SurveySent(Event, name="survey.sent", entity_type="SurveyInvitation"):
    id: uuid.UUID
    case_id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    token: str  # for the tool that mails the survey; only its hash is stored


class SurveyAnswered(Event, name="survey.answered", entity_type="SurveyInvitation"):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    score: int


class AssetInstalled(Event, name="asset.installed", entity_type="Asset"):
    id: uuid.UUID
    customer_id: uuid.UUID
    product: str


class VisitStatusChanged(Event, name="visit.status_changed", entity_type="WorkOrder"):
    id: uuid.UUID
    status: str
    previous: str | None  # None when the visit was created


SERVICE_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(CaseOpened, "a case was opened"),
    EventType(CaseUpdated, "a case's fields (priority, category, ...) changed"),
    EventType(CaseAssigned, "a case was assigned to an agent or a team"),
    EventType(CaseStatusChanged, "a case moved to another status"),
    EventType(CaseResolved, "a case was resolved"),
    EventType(CaseClosed, "a case was closed"),
    EventType(CaseReopened, "a solved case was reopened"),
    EventType(CaseReplied, "a public reply, customer message or internal note was added to a case"),
    EventType(CaseEscalated, "an escalation rule acted on a case"),
    EventType(SlaWarning, "an SLA timer reached its warning threshold"),
    EventType(SlaBreached, "an SLA timer passed its target"),
    EventType(ArticlePublished, "a knowledge-base article was published"),
    EventType(SurveySent, "a satisfaction survey was offered for a resolved case"),
    EventType(SurveyAnswered, "a customer answered a satisfaction survey"),
    EventType(AssetInstalled, "an installed product was recorded"),
    EventType(VisitStatusChanged, "a field visit moved to another status"),
)
