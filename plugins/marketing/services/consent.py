"""Consent: statements per customer or lead, channel and topic; the newest one in force.

Nothing is updated or deleted: opting out adds a statement, and so does opting back in, which
therefore always comes with its own legal basis, source and evidence. What applies to a
channel and topic is the newest statement about that channel for that topic or for all its
topics; a do-not-contact (channel ``all``) opt-out blocks every channel until an explicit
``all`` opt-in lifts it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select

from rapport.core import Operation, get_customer, utcnow
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import ConsentRecorded
from rapport.plugins.marketing.models import Consent
from rapport.plugins.marketing.services.campaigns import channel_keys
from rapport.plugins.marketing.services.common import Problems, clean
from rapport.plugins.sales.models import Lead

__all__ = [
    "ALL_CHANNELS",
    "CONSENT_STATUSES",
    "LEGAL_BASES",
    "ConsentFields",
    "opted_out",
    "record_consent",
]

ALL_CHANNELS = "all"
CONSENT_STATUSES = ("opted_in", "opted_out")
# GDPR article 6 bases, plus the explicit consent an opt-in usually rests on.
LEGAL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interest",
    "public_task",
    "legitimate_interest",
)


@dataclass
class ConsentFields:
    channel: str
    status: str
    customer_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    topic: str | None = None
    legal_basis: str | None = None
    source: str | None = None
    evidence: str | None = None
    recorded_at: datetime | None = None


async def record_consent(op: Operation, data: ConsentFields, prefix: str = "input.") -> Consent:
    problems = Problems(prefix)
    if (data.customer_id is None) == (data.lead_id is None):
        problems.add(
            "customerId",
            "name a customer or a lead (one of the two)",
            MarketingErrorCode.CUSTOMER_OR_LEAD,
        )
    if data.channel != ALL_CHANNELS and data.channel not in await channel_keys(op):
        problems.add(
            "channel",
            f"unknown channel (or {ALL_CHANNELS} for do-not-contact)",
            MarketingErrorCode.UNKNOWN_CHANNEL,
        )
    if data.status not in CONSENT_STATUSES:
        problems.add("status", f"must be one of {', '.join(CONSENT_STATUSES)}")
    if data.legal_basis is not None and data.legal_basis not in LEGAL_BASES:
        problems.add("legalBasis", f"must be one of {', '.join(LEGAL_BASES)}")
    if data.status == "opted_in":
        # Re-subscribing is a new consent, so it carries what any consent must.
        problems.required("legalBasis", data.legal_basis, "an opt-in states its legal basis")
        problems.required("source", data.source, "an opt-in says where it was given")
    if data.recorded_at is not None and data.recorded_at > utcnow():
        problems.add("recordedAt", "must not be in the future", MarketingErrorCode.IN_THE_FUTURE)
    await problems.exists(op, "leadId", Lead, data.lead_id, "lead")
    problems.raise_if_any()
    if data.customer_id is not None:
        await get_customer(op, data.customer_id, f"{prefix}customerId")
    consent = Consent(
        workspace_id=op.workspace_id,
        customer_id=data.customer_id,
        lead_id=data.lead_id,
        channel=data.channel,
        topic=(data.topic or "").strip(),
        status=data.status,
        legal_basis=data.legal_basis,
        recorded_at=data.recorded_at or utcnow(),
        source=clean(data.source),
        evidence=clean(data.evidence),
    )
    op.session.add(consent)
    await op.session.flush()
    op.audit(
        "Consent",
        consent.id,
        "record",
        {
            "channel": [None, consent.channel],
            "topic": [None, consent.topic],
            "status": [None, consent.status],
        },
        customer_id=data.customer_id,
    )
    await op.emit(
        ConsentRecorded(
            id=consent.id,
            channel=consent.channel,
            topic=consent.topic,
            status=consent.status,
            customer_id=data.customer_id,
            lead_id=data.lead_id,
        )
    )
    return consent


def _newest_out(subject: str, applies: ColumnElement[bool]) -> Select[tuple[uuid.UUID]]:
    """Subjects whose newest statement among those that ``applies`` is an opt-out."""
    column = getattr(Consent, subject)
    ranked = (
        select(
            column.label("subject"),
            Consent.status,
            func.row_number()
            .over(partition_by=column, order_by=(Consent.recorded_at.desc(), Consent.id.desc()))
            .label("rank"),
        )
        .where(column.is_not(None), applies)
        .subquery()
    )
    return select(ranked.c.subject).where(ranked.c.rank == 1, ranked.c.status == "opted_out")


def opted_out(subject: str, channel: str, topic: str | None) -> dict[str, Select[tuple[uuid.UUID]]]:
    """The selects of the customers (``subject="customer_id"``) or leads who may not be
    contacted on ``channel`` about ``topic``, by reason: do-not-contact, then opted out."""
    return {
        "do_not_contact": _newest_out(
            subject, and_(Consent.channel == ALL_CHANNELS, Consent.topic == "")
        ),
        "opted_out": _newest_out(
            subject, and_(Consent.channel == channel, Consent.topic.in_(["", topic or ""]))
        ),
    }
