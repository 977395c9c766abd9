"""Campaigns: planned -> active -> completed | aborted, in a hierarchy, with their channel,
budget and expectations, target segments, and the member statuses each one uses.

A campaign and its sub-campaigns share one currency, so the hierarchy's roll-ups add amounts
that can be added. Every campaign keeps at least one status marked responded and exactly one
default, the status new members get.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from rapport.core import ErrorCode, FieldValues, Operation, apply_changes
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import CAMPAIGN_TRANSITIONS, CampaignCreated, CampaignUpdated
from rapport.plugins.marketing.models import (
    Campaign,
    CampaignChannel,
    CampaignMember,
    CampaignSegment,
    MemberResponse,
    MemberStatus,
    Segment,
)
from rapport.plugins.marketing.services.common import Problems, clean, get_row, money, refuse

__all__ = [
    "BUILTIN_CHANNELS",
    "CAMPAIGN_STATUSES",
    "DEFAULT_STATUSES",
    "CampaignFields",
    "StatusFields",
    "add_channel",
    "add_member_status",
    "change_status",
    "channel_keys",
    "create_campaign",
    "remove_member_status",
    "update_campaign",
    "update_member_status",
]

BUILTIN_CHANNELS = {
    "email": "Email",
    "sms": "SMS",
    "phone": "Phone",
    "event": "Event",
    "social": "Social media",
    "direct_mail": "Direct mail",
    "web_ads": "Web ads",
    "webinar": "Webinar",
    "referral": "Referral",
}
CAMPAIGN_STATUSES = ("planned", "active", "completed", "aborted")
# status -> the statuses it may move to
TRANSITIONS = {
    "planned": ("active", "aborted"),
    "active": ("completed", "aborted"),
    "completed": (),
    "aborted": (),
}
# name, responded, default: what a new campaign starts with (Salesforce's pair, and more).
DEFAULT_STATUSES = (
    ("Sent", False, True),
    ("Opened", False, False),
    ("Clicked", True, False),
    ("Responded", True, False),
    ("Converted", True, False),
)


@dataclass
class CampaignFields(FieldValues):
    name: str | None = None
    description: str | None = None
    parent_id: uuid.UUID | None = None
    channel: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    currency: str | None = None
    budget: Decimal | None = None
    expected_revenue: Decimal | None = None
    expected_response: int | None = None
    owner_id: uuid.UUID | None = None
    segment_ids: list[uuid.UUID] | None = None
    email_subject: str | None = None
    email_body: str | None = None
    email_from: str | None = None
    topic: str | None = None


async def channel_keys(op: Operation) -> dict[str, str]:
    """Every channel a campaign may use here: the built-in ones and the workspace's own."""
    rows = await op.session.execute(select(CampaignChannel.key, CampaignChannel.label))
    return {**BUILTIN_CHANNELS, **{row[0]: row[1] for row in rows.all()}}


async def add_channel(op: Operation, key: str, label: str) -> CampaignChannel:
    problems = Problems("")
    cleaned = (key or "").strip().lower()
    if not cleaned.replace("_", "").isalnum() or len(cleaned) > 40:
        problems.add("key", "letters, digits and underscores, up to 40")
    problems.required("label", label)
    if cleaned in await channel_keys(op):
        problems.add("key", "this channel exists already", ErrorCode.CONFLICT)
    problems.raise_if_any()
    channel = CampaignChannel(workspace_id=op.workspace_id, key=cleaned, label=label.strip())
    op.session.add(channel)
    await op.session.flush()
    op.audit("CampaignChannel", channel.id, "create", {"key": [None, cleaned]})
    return channel


async def _ancestors(op: Operation, campaign_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await op.session.execute(select(Campaign.id, Campaign.parent_id))
    parents = {row[0]: row[1] for row in rows}
    chain, current = [], parents.get(campaign_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


async def _validate(
    op: Operation, campaign: Campaign | None, data: CampaignFields, problems: Problems
) -> None:
    given = data.__dict__
    if data.name is not None or campaign is None:
        problems.required("name", data.name)
        if data.name and data.name.strip():
            clash = select(Campaign.id).where(Campaign.name == data.name.strip())
            if campaign is not None:
                clash = clash.where(Campaign.id != campaign.id)
            if (await op.session.execute(clash)).first() is not None:
                problems.add("name", "another campaign has this name", ErrorCode.CONFLICT)
    if campaign is None:
        problems.required("channel", data.channel)
        problems.required("currency", data.currency)
    if data.channel is not None and data.channel not in await channel_keys(op):
        problems.add(
            "channel",
            "unknown channel; add it to the workspace first",
            MarketingErrorCode.UNKNOWN_CHANNEL,
        )
    problems.currency("currency", data.currency)
    for name in ("budget", "expected_revenue"):
        problems.money(
            _camel(name), given[name], data.currency or (campaign.currency if campaign else None)
        )
    if data.expected_response is not None and data.expected_response < 0:
        problems.add("expectedResponse", "must not be negative")
    starts = data.starts_on or (campaign.starts_on if campaign else None)
    ends = data.ends_on or (campaign.ends_on if campaign else None)
    if starts and ends and ends < starts:
        problems.add("endsOn", "the end comes before the start", MarketingErrorCode.DATES_REVERSED)
    await problems.user(op, "ownerId", data.owner_id)
    currency = data.currency or (campaign.currency if campaign else None)
    if data.parent_id is not None:
        parent = await problems.exists(op, "parentId", Campaign, data.parent_id, "campaign")
        if parent is not None:
            if campaign is not None and (
                parent.id == campaign.id or campaign.id in await _ancestors(op, parent.id)
            ):
                problems.add(
                    "parentId",
                    "a campaign cannot sit under itself or its own children",
                    MarketingErrorCode.CAMPAIGN_CYCLE,
                )
            elif currency and parent.currency != currency:
                problems.add(
                    "currency",
                    f"its parent campaign is in {parent.currency}",
                    MarketingErrorCode.CURRENCY_MISMATCH,
                )
    if campaign is not None and data.currency and data.currency != campaign.currency:
        used = await op.session.execute(
            select(func.count()).select_from(Campaign).where(Campaign.parent_id == campaign.id)
        )
        if used.scalar_one():
            problems.add(
                "currency",
                "its sub-campaigns are in the current currency",
                MarketingErrorCode.CURRENCY_MISMATCH,
            )
    for index, segment_id in enumerate(data.segment_ids or []):
        await problems.exists(op, f"segmentIds.{index}", Segment, segment_id, "segment")
    if data.email_from is not None and "@" not in data.email_from:
        problems.add("emailFrom", "an email address")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _set_segments(op: Operation, campaign: Campaign, segment_ids: list[uuid.UUID]) -> None:
    await op.session.execute(
        delete(CampaignSegment).where(CampaignSegment.campaign_id == campaign.id)
    )
    for segment_id in dict.fromkeys(segment_ids):
        op.session.add(
            CampaignSegment(
                workspace_id=op.workspace_id, campaign_id=campaign.id, segment_id=segment_id
            )
        )


def _stored(data: CampaignFields) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.given().items():
        if key == "segment_ids":
            continue
        if isinstance(value, str):
            value = clean(value) if key not in ("currency", "channel") else value.strip()
        if isinstance(value, Decimal):
            value = money(value)
        values[key] = value
    return values


async def create_campaign(op: Operation, data: CampaignFields) -> Campaign:
    problems = Problems()
    await _validate(op, None, data, problems)
    problems.raise_if_any()
    values = _stored(data)
    values.setdefault("owner_id", op.actor.user_id)
    campaign = Campaign(workspace_id=op.workspace_id, status="planned", **values)
    op.session.add(campaign)
    await op.session.flush()
    for position, (name, responded, default) in enumerate(DEFAULT_STATUSES):
        op.session.add(
            MemberStatus(
                workspace_id=op.workspace_id,
                campaign_id=campaign.id,
                name=name,
                responded=responded,
                is_default=default,
                position=position,
            )
        )
    await _set_segments(op, campaign, data.segment_ids or [])
    await op.session.flush()
    op.audit("Campaign", campaign.id, "create", {"status": [None, "planned"]})
    await op.emit(CampaignCreated(id=campaign.id, channel=campaign.channel))
    return campaign


def _editable(campaign: Campaign) -> None:
    if campaign.status in ("completed", "aborted"):
        raise refuse(
            "id", f"a {campaign.status} campaign is read-only", MarketingErrorCode.CAMPAIGN_CLOSED
        )


async def update_campaign(op: Operation, campaign_id: uuid.UUID, data: CampaignFields) -> Campaign:
    campaign = await get_row(op, Campaign, campaign_id, "id", "campaign")
    _editable(campaign)
    cleared = {name: None for name, value in data.patch(Campaign).items() if value is None}
    problems = Problems()
    await _validate(op, campaign, data, problems)
    problems.raise_if_any()
    changes = apply_changes(campaign, _stored(data) | cleared)
    if data.segment_ids is not None:
        await _set_segments(op, campaign, data.segment_ids)
        changes["segments"] = [None, [str(i) for i in data.segment_ids]]
    await op.session.flush()
    if changes:
        op.audit("Campaign", campaign.id, "update", changes)
        await op.emit(CampaignUpdated(id=campaign.id, fields=tuple(changes)))
    return campaign


async def change_status(op: Operation, campaign_id: uuid.UUID, to: str) -> Campaign:
    campaign = await get_row(op, Campaign, campaign_id, "id", "campaign")
    allowed = TRANSITIONS[campaign.status]
    if to not in allowed:
        raise refuse(
            "id",
            f"a {campaign.status} campaign cannot become {to}"
            + (f" (only {', '.join(allowed)})" if allowed else ""),
            MarketingErrorCode.ILLEGAL_TRANSITION,
        )
    changes = apply_changes(campaign, {"status": to})
    await op.session.flush()
    op.audit("Campaign", campaign.id, "transition", changes)
    await op.emit(CAMPAIGN_TRANSITIONS[to](id=campaign.id, status=to))
    return campaign


@dataclass
class StatusFields(FieldValues):
    name: str | None = None
    responded: bool | None = None
    is_default: bool | None = None
    position: int | None = None


async def _statuses(op: Operation, campaign_id: uuid.UUID) -> list[MemberStatus]:
    rows = await op.session.execute(
        select(MemberStatus).where(MemberStatus.campaign_id == campaign_id)
    )
    return list(rows.scalars())


def _check_set(statuses: list[MemberStatus]) -> None:
    if sum(1 for s in statuses if s.is_default) != 1:
        raise refuse(
            "input.isDefault",
            "a campaign has exactly one default status",
            MarketingErrorCode.ONE_DEFAULT_STATUS,
        )
    if not any(s.responded for s in statuses):
        raise refuse(
            "input.responded",
            "a campaign needs at least one responded status",
            MarketingErrorCode.RESPONDED_STATUS_REQUIRED,
        )


async def _apply_status(
    op: Operation, campaign_id: uuid.UUID, status: MemberStatus, data: StatusFields
) -> None:
    problems = Problems()
    if data.name is not None:
        problems.required("name", data.name)
        siblings = await _statuses(op, campaign_id)
        if any(s.name == data.name.strip() and s.id != status.id for s in siblings):
            problems.add("name", "the campaign has a status of this name", ErrorCode.CONFLICT)
    problems.raise_if_any()
    if data.name is not None:
        status.name = data.name.strip()
    if data.responded is not None:
        status.responded = data.responded
    if data.position is not None:
        status.position = data.position
    if data.is_default:
        for sibling in await _statuses(op, campaign_id):
            if sibling.id != status.id:
                sibling.is_default = False
    if data.is_default is not None:
        status.is_default = data.is_default
    await op.session.flush()
    _check_set(await _statuses(op, campaign_id))


async def add_member_status(
    op: Operation, campaign_id: uuid.UUID, data: StatusFields
) -> MemberStatus:
    campaign = await get_row(op, Campaign, campaign_id, "campaignId", "campaign")
    _editable(campaign)
    problems = Problems()
    problems.required("name", data.name)
    problems.raise_if_any()
    existing = await _statuses(op, campaign.id)
    status = MemberStatus(
        workspace_id=op.workspace_id,
        campaign_id=campaign.id,
        name="",
        responded=False,
        is_default=False,
        position=max((s.position for s in existing), default=-1) + 1,
    )
    op.session.add(status)
    await _apply_status(op, campaign.id, status, data)
    op.audit("MemberStatus", status.id, "create", {"name": [None, status.name]})
    return status


async def update_member_status(
    op: Operation, status_id: uuid.UUID, data: StatusFields
) -> MemberStatus:
    status = await get_row(op, MemberStatus, status_id, "id", "member status")
    _editable(await get_row(op, Campaign, status.campaign_id, "id", "campaign"))
    data.patch(MemberStatus)  # every field of a status is needed: a null is refused
    before = {"name": status.name, "responded": status.responded, "default": status.is_default}
    await _apply_status(op, status.campaign_id, status, data)
    op.audit("MemberStatus", status.id, "update", {"before": [str(before), None]})
    return status


async def remove_member_status(op: Operation, status_id: uuid.UUID) -> MemberStatus:
    status = await get_row(op, MemberStatus, status_id, "id", "member status")
    _editable(await get_row(op, Campaign, status.campaign_id, "id", "campaign"))
    for model in (CampaignMember, MemberResponse):
        used = await op.session.execute(
            select(model.id).where(model.status_id == status.id).limit(1)
        )
        if used.first() is not None:
            raise refuse(
                "id",
                "members have or had this status; it stays",
                MarketingErrorCode.STATUS_IN_USE,
            )
    await op.session.delete(status)
    await op.session.flush()
    _check_set(await _statuses(op, status.campaign_id))
    op.audit("MemberStatus", status.id, "delete", {"name": [status.name, None]})
    return status
