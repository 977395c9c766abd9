"""What service tells customer insights: cases and surveys as engagement, and signs of leaving."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import literal, or_, select

from rapport.core import AnySelect, ChurnSignal, ValueKind, ValueSource
from rapport.plugins.service.models import Case, SlaTimer, SurveyInvitation
from rapport.plugins.service.statuses import OPEN_CATEGORIES

__all__ = ["SERVICE_CHURN_SIGNALS", "SERVICE_VALUE_SOURCES"]

RECENT = timedelta(days=180)
OPEN = sorted(OPEN_CATEGORIES)


def cases_opened(workspace_id: uuid.UUID) -> AnySelect:
    return select(
        Case.customer_id, Case.opened_at.label("occurred_at"), literal("case").label("kind")
    ).where(Case.workspace_id == workspace_id)


def surveys_answered(workspace_id: uuid.UUID) -> AnySelect:
    return select(
        SurveyInvitation.customer_id,
        SurveyInvitation.responded_at.label("occurred_at"),
        literal("survey").label("kind"),
    ).where(
        SurveyInvitation.workspace_id == workspace_id, SurveyInvitation.responded_at.is_not(None)
    )


def open_complaints(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    return select(Case.customer_id, literal(0.4).label("weight")).where(
        Case.workspace_id == workspace_id,
        Case.kind == "COMPLAINT",
        Case.status_category.in_(OPEN),
    )


def breached_slas(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    return (
        select(Case.customer_id, literal(0.3).label("weight"))
        .join(
            SlaTimer, (SlaTimer.workspace_id == Case.workspace_id) & (SlaTimer.case_id == Case.id)
        )
        .where(
            Case.workspace_id == workspace_id,
            Case.status_category.in_(OPEN),
            SlaTimer.breached_at.is_not(None),
        )
    )


def bad_surveys(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    """A CSAT of 1-2 (of 5) or an NPS of 0-6 (a detractor) in the last six months."""
    return select(SurveyInvitation.customer_id, literal(0.3).label("weight")).where(
        SurveyInvitation.workspace_id == workspace_id,
        SurveyInvitation.responded_at >= now - RECENT,
        or_(
            (SurveyInvitation.kind == "CSAT") & (SurveyInvitation.score <= 2),
            (SurveyInvitation.kind == "NPS") & (SurveyInvitation.score <= 6),
        ),
    )


SERVICE_VALUE_SOURCES = (
    ValueSource("service.cases", ValueKind.ENGAGEMENT, cases_opened, "cases opened"),
    ValueSource("service.surveys", ValueKind.ENGAGEMENT, surveys_answered, "surveys answered"),
)
SERVICE_CHURN_SIGNALS = (
    ChurnSignal("open_complaint", "a complaint is open", open_complaints),
    ChurnSignal("sla_breached", "an open case missed its service level", breached_slas),
    ChurnSignal("bad_survey", "rated service poorly in the last six months", bad_surveys),
)
