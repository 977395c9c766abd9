"""Sending an email campaign: each pending member gets the campaign's email, personalised,
with RFC 8058 one-click unsubscribe headers, and the outcome is kept on the member.

Run by the worker. Consent is checked again at sending time (someone may have opted out since
being added): those members are marked ``suppressed``, never sent to. A refusal of the
recipient by the server marks the member ``bounced``, any other SMTP failure ``failed``,
with the server's message. On PostgreSQL pending members are claimed with SKIP LOCKED, so
two workers never send the same email.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
from sqlalchemy import select

from rapport.core import ContactPoint, Customer, Operation, Settings, utcnow
from rapport.plugins.marketing.config import MarketingConfig, marketing_config
from rapport.plugins.marketing.events import CampaignEmailSent
from rapport.plugins.marketing.models import Campaign, CampaignMember
from rapport.plugins.marketing.services.consent import opted_out
from rapport.plugins.marketing.services.tokens import marketing_settings, sign_token
from rapport.plugins.sales.models import Lead

__all__ = ["Recipient", "personalise", "send_campaign", "send_pending", "unsubscribe_url"]

# Header lines up to RFC 5322's limit: a folded or encoded List-Unsubscribe URL is one that
# mail clients cannot use.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
PLACEHOLDER = re.compile(r"\{(first_name|last_name|display_name|company|unsubscribe_url)\}")


@dataclass
class Recipient:
    member: CampaignMember
    address: str | None
    fields: dict[str, str]


def personalise(template: str, fields: dict[str, str]) -> str:
    """Fill the known ``{field}`` placeholders; any other brace is left as written."""
    return PLACEHOLDER.sub(lambda match: fields.get(match.group(1), ""), template)


def unsubscribe_url(config: MarketingConfig, token: str) -> str:
    return f"{config.public_url.rstrip('/')}/unsubscribe/{token}"


async def _recipients(op: Operation, campaign: Campaign, limit: int) -> list[Recipient]:
    claim = (
        select(CampaignMember)
        .where(CampaignMember.campaign_id == campaign.id, CampaignMember.delivery == "pending")
        .order_by(CampaignMember.created_at, CampaignMember.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    members = list((await op.session.execute(claim)).scalars())
    customer_ids = [m.customer_id for m in members if m.customer_id]
    lead_ids = [m.lead_id for m in members if m.lead_id]
    people = {
        row.id: row
        for row in (
            await op.session.execute(select(Customer).where(Customer.id.in_(customer_ids)))
        ).scalars()
    }
    # The primary email first, then the oldest: one address per customer.
    addresses: dict[uuid.UUID, str] = {}
    for customer_id, value in await op.session.execute(
        select(ContactPoint.customer_id, ContactPoint.value)
        .where(
            ContactPoint.customer_id.in_(customer_ids),
            ContactPoint.kind == "email",
            ContactPoint.do_not_contact.is_(False),
        )
        .order_by(ContactPoint.is_primary.desc(), ContactPoint.created_at, ContactPoint.id)
    ):
        addresses.setdefault(customer_id, value)
    leads = {
        row.id: row
        for row in (await op.session.execute(select(Lead).where(Lead.id.in_(lead_ids)))).scalars()
    }
    found = []
    for member in members:
        if member.customer_id is not None:
            person = people[member.customer_id]
            fields = {
                "first_name": person.first_name or "",
                "last_name": person.last_name or "",
                "display_name": person.display_name,
                "company": person.organization_name or "",
            }
            found.append(Recipient(member, addresses.get(member.customer_id), fields))
        else:
            assert member.lead_id is not None
            lead = leads[member.lead_id]
            name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
            fields = {
                "first_name": lead.first_name or "",
                "last_name": lead.last_name or "",
                "display_name": name or lead.company or "",
                "company": lead.company or "",
            }
            found.append(Recipient(member, lead.email, fields))
    return found


async def _blocked(
    op: Operation, campaign: Campaign, recipients: list[Recipient]
) -> set[uuid.UUID]:
    """Members whose customer or lead may no longer be emailed about this campaign's topic."""
    blocked: set[Any] = set()
    for subject in ("customer_id", "lead_id"):
        ids = {getattr(r.member, subject) for r in recipients} - {None}
        if not ids:
            continue
        for statement in opted_out(subject, "email", campaign.topic).values():
            column = statement.selected_columns[0]
            found = await op.session.execute(statement.where(column.in_(ids)))
            blocked |= {row[0] for row in found}
    return {
        r.member.id for r in recipients if (r.member.customer_id or r.member.lead_id) in blocked
    }


def _message(
    campaign: Campaign, recipient: Recipient, address: str, config: MarketingConfig, url: str
) -> EmailMessage:
    fields = {**recipient.fields, "unsubscribe_url": url}
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = campaign.email_from or "no-reply@localhost"
    message["To"] = address
    message["Subject"] = personalise(campaign.email_subject or campaign.name, fields)
    message["Message-ID"] = make_msgid(domain=(campaign.email_from or "@localhost").split("@")[-1])
    # RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe, answered by a POST.
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(personalise(campaign.email_body or "", fields))
    return message


async def send_campaign(op: Operation, campaign: Campaign, config: MarketingConfig) -> int:
    """Send up to one batch of the campaign's pending members; the number sent."""
    recipients = await _recipients(op, campaign, config.send_batch)
    if not recipients:
        return 0
    key = (await marketing_settings(op)).signing_key
    blocked = await _blocked(op, campaign, recipients)
    sent = 0
    smtp = aiosmtplib.SMTP(
        hostname=config.smtp_host,
        port=config.smtp_port,
        start_tls=config.smtp_starttls,
        timeout=config.smtp_timeout,
    )
    try:
        await smtp.connect()
        if config.smtp_username:
            await smtp.login(config.smtp_username, config.smtp_password or "")
    except (aiosmtplib.SMTPException, OSError) as error:
        # The server is out of reach: the members stay pending for the next run.
        op.audit("Campaign", campaign.id, "send_failed", note=str(error)[:500])
        return 0
    try:
        for recipient in recipients:
            member = recipient.member
            if member.id in blocked:
                member.delivery, member.delivery_error = "suppressed", "opted out before sending"
                continue
            if not recipient.address:
                member.delivery, member.delivery_error = "failed", "no email address"
                continue
            url = unsubscribe_url(config, sign_token(key, op.workspace_id, member.id))
            try:
                message = _message(campaign, recipient, recipient.address, config, url)
                # Flattened here, under MAIL_POLICY: the client's own flattening would fold
                # the long unsubscribe URL.
                await smtp.sendmail(
                    message["From"], [recipient.address], message.as_bytes(policy=MAIL_POLICY)
                )
            except aiosmtplib.SMTPRecipientsRefused as refused:
                member.delivery = "bounced"
                member.delivery_error = "; ".join(str(e) for e in refused.recipients)[:500]
            except aiosmtplib.SMTPResponseException as error:
                member.delivery, member.delivery_error = (
                    "failed",
                    f"{error.code} {error.message}"[:500],
                )
            else:
                member.delivery, member.delivery_error, member.sent_at = "sent", None, utcnow()
                sent += 1
    finally:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await smtp.quit()
    await op.session.flush()
    op.audit("Campaign", campaign.id, "send", {"sent": [None, sent]})
    await op.emit(CampaignEmailSent(id=campaign.id, sent=sent))
    return sent


async def send_pending(op: Operation, settings: Settings) -> int:
    """Every active email campaign of the workspace, one batch each."""
    config = marketing_config(settings)
    campaigns = await op.session.execute(
        select(Campaign)
        .where(Campaign.channel == "email", Campaign.status == "active")
        .order_by(Campaign.created_at, Campaign.id)
    )
    sent = 0
    for campaign in list(campaigns.scalars()):
        sent += await send_campaign(op, campaign, config)
    return sent
