"""Demo data for ``serve --demo``: a marketer's month on the customers and deals already there.

Runs after the core and sales loaders: segments (owners aged 35-54 in two regions, a snapshot
of manufacturing organisations, one excluding the other), a campaign hierarchy (a spring
programme with an email and an event, and an aborted social campaign), members with
responses dated before the deals they led to, two cost lines per campaign, consent with a few
opt-outs and a do-not-contact, a lead capture form and scoring rules. Every choice comes from
the given ``rng``, so one seed gives the same data.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer
from rapport.plugins.marketing.models import (
    Campaign,
    CampaignCost,
    CampaignMember,
    CampaignSegment,
    Consent,
    LeadForm,
    MarketingSettings,
    MemberResponse,
    MemberStatus,
    OpportunitySource,
    ScoringRule,
    Segment,
    SegmentLink,
    SegmentMember,
)
from rapport.plugins.marketing.services.campaigns import DEFAULT_STATUSES
from rapport.plugins.sales.models import Opportunity

__all__ = ["load_marketing_demo"]

OWNERS_FILTER = {
    "occupation": {"eq": "shop owner"},
    "ageBand": ["AGE_35_44", "AGE_45_54"],
    "region": {"in": ["North", "South"]},
}
MANUFACTURING_FILTER = {"industry": {"eq": "manufacturing"}}


class _Demo:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID, rng: random.Random):
        self.session, self.workspace_id, self.rng = session, workspace_id, rng
        self.rows: list[Any] = []

    def id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    async def insert(self) -> None:
        """Parents first, a flush each: rows without ORM relationships are not ordered by
        their foreign keys otherwise."""
        for level in range(4):
            self.session.add_all([row for row in self.rows if _level(row) == level])
            await self.session.flush()

    def add(self, row: Any) -> Any:
        row.workspace_id = self.workspace_id
        if getattr(row, "id", None) is None:
            row.id = self.id()
        self.rows.append(row)
        return row


def _level(row: Any) -> int:
    if isinstance(row, MemberResponse):
        return 3
    if isinstance(row, (MarketingSettings, Segment)) or (
        isinstance(row, Campaign) and row.parent_id is None
    ):
        return 0
    if isinstance(row, (Campaign, SegmentLink, SegmentMember, MemberStatus)):
        return 1
    return 2


def _campaign(demo: _Demo, **fields: Any) -> tuple[Campaign, list[MemberStatus]]:
    campaign = demo.add(Campaign(currency="EUR", **fields))
    statuses = [
        demo.add(
            MemberStatus(
                campaign_id=campaign.id,
                name=name,
                responded=responded,
                is_default=default,
                position=position,
            )
        )
        for position, (name, responded, default) in enumerate(DEFAULT_STATUSES)
    ]
    return campaign, statuses


async def load_marketing_demo(session: AsyncSession, workspace: Any, rng: random.Random) -> None:
    demo = _Demo(session, workspace.id, rng)
    now = datetime.now(UTC)
    customers = list(
        (
            await session.execute(
                select(Customer).where(Customer.deleted_at.is_(None)).order_by(Customer.id)
            )
        ).scalars()
    )
    deals = list((await session.execute(select(Opportunity).order_by(Opportunity.id))).scalars())
    demo.add(MarketingSettings(signing_key=f"{demo.rng.getrandbits(256):064x}", qualify_score=40))
    owners = demo.add(
        Segment(name="Owners 35-54, North and South", kind="dynamic", filter=OWNERS_FILTER)
    )
    manufacturing = demo.add(
        Segment(name="Manufacturing organisations", kind="snapshot", filter=MANUFACTURING_FILTER)
    )
    demo.add(
        Segment(
            name="Customers outside manufacturing",
            kind="dynamic",
            filter={"kind": "ORGANIZATION"},
            description="Every organisation except the manufacturing snapshot.",
        )
    )
    outside = demo.rows[-1]
    demo.add(SegmentLink(segment_id=outside.id, other_id=manufacturing.id, mode="exclude"))
    in_manufacturing = [c for c in customers if c.industry == "manufacturing"]
    for customer in in_manufacturing:
        demo.add(SegmentMember(segment_id=manufacturing.id, customer_id=customer.id))
    manufacturing.member_count, manufacturing.refreshed_at = len(in_manufacturing), now

    start = (now - timedelta(days=45)).date()
    spring, _ = _campaign(
        demo,
        name="Spring programme",
        channel="event",
        status="active",
        starts_on=start,
        budget=Decimal("12000"),
        expected_revenue=Decimal("60000"),
        expected_response=80,
        description="The umbrella of this quarter's campaigns.",
    )
    email, email_statuses = _campaign(
        demo,
        name="Spring newsletter",
        parent_id=spring.id,
        channel="email",
        status="completed",
        starts_on=start,
        ends_on=start + timedelta(days=14),
        budget=Decimal("2000"),
        email_subject="Spring news for {first_name}",
        email_body="Hello {display_name},\n\nOur spring offers are out.\n\n"
        "Unsubscribe: {unsubscribe_url}",
        email_from="news@demo.example",
        topic="newsletter",
    )
    event, event_statuses = _campaign(
        demo,
        name="Spring trade fair",
        parent_id=spring.id,
        channel="event",
        status="active",
        starts_on=start + timedelta(days=20),
        budget=Decimal("8000"),
    )
    social, social_statuses = _campaign(
        demo, name="Social teaser", channel="social", status="aborted", budget=Decimal("1500")
    )
    demo.add(CampaignSegment(campaign_id=email.id, segment_id=owners.id))
    demo.add(CampaignSegment(campaign_id=event.id, segment_id=manufacturing.id))
    for campaign, lines in (
        (email, (("design", "450.00", True), ("sending", "120.00", True))),
        (event, (("venue", "4200.00", True), ("catering", "1350.00", False))),
        (social, (("ads", "300.00", True), ("agency", "250.00", True))),
    ):
        for category, amount, approved in lines:
            demo.add(
                CampaignCost(
                    campaign_id=campaign.id,
                    category=category,
                    amount=Decimal(amount),
                    currency="EUR",
                    incurred_on=campaign.starts_on or start,
                    supplier=f"{category.title()} Ltd",
                    reference=f"INV-{demo.rng.randint(1000, 9999)}",
                    approved=approved,
                )
            )
    deal_of: dict[uuid.UUID, Opportunity] = {}
    for deal in deals:
        deal_of.setdefault(deal.customer_id, deal)
    # Mostly customers with deals, so attribution has payments to share out.
    with_deals = [c for c in customers if c.id in deal_of]
    others = [c for c in customers if c.id not in deal_of]
    pool = [
        *demo.rng.sample(with_deals, min(len(with_deals), 60)),
        *demo.rng.sample(others, min(len(others), 30)),
    ]
    for index, customer in enumerate(pool):
        campaign, statuses = (
            (email, email_statuses),
            (event, event_statuses),
            (social, social_statuses),
        )[index % 3]
        sold = deal_of.get(customer.id)
        anchor = sold.created_at if sold is not None else now
        added = anchor - timedelta(days=demo.rng.randint(20, 60))
        member = demo.add(
            CampaignMember(
                campaign_id=campaign.id,
                customer_id=customer.id,
                status_id=statuses[0].id,
                delivery="sent" if campaign is email else None,
                sent_at=added if campaign is email else None,
                created_at=added,
                updated_at=added,
            )
        )
        history = [(statuses[0], added)]
        if demo.rng.random() < 0.45:
            reached = demo.rng.choice(statuses[2:])
            history.append((reached, added + timedelta(days=demo.rng.randint(1, 15))))
            member.status_id, member.first_responded_at = reached.id, history[-1][1]
        for status, at in history:
            demo.add(
                MemberResponse(
                    member_id=member.id,
                    campaign_id=campaign.id,
                    customer_id=customer.id,
                    status_id=status.id,
                    responded=status.responded,
                    occurred_at=min(at, now),
                    source="demo",
                )
            )
        if sold is not None and index % 5 == 0:
            demo.add(OpportunitySource(opportunity_id=sold.id, campaign_id=campaign.id))
    for customer in demo.rng.sample(customers, min(len(customers), 12)):
        opted_out = demo.rng.random() < 0.5
        demo.add(
            Consent(
                customer_id=customer.id,
                channel="email",
                topic="newsletter",
                status="opted_out" if opted_out else "opted_in",
                legal_basis=None if opted_out else "consent",
                recorded_at=now - timedelta(days=demo.rng.randint(1, 90)),
                source="preference centre",
            )
        )
    if customers:
        demo.add(
            Consent(
                customer_id=customers[0].id,
                channel="all",
                topic="",
                status="opted_out",
                recorded_at=now - timedelta(days=3),
                source="phone call",
                evidence="Asked not to be contacted at all.",
            )
        )
    demo.add(
        LeadForm(
            campaign_id=event.id,
            # Form keys are public and unique across workspaces.
            key=f"demo-{workspace.id.hex[:12]}-{demo.rng.getrandbits(48):012x}",
            name="Trade fair sign-up",
            fields={"first": "first_name", "last": "last_name", "email": "email", "org": "company"},
            consents={"newsletter": "newsletter"},
            allowed_origins=["http://localhost:3000"],
        )
    )
    for name, kind, attribute, value, points, half_life in (
        ("Manufacturing", "fit", "industry", "manufacturing", 20, None),
        ("Shop owners", "fit", "occupation", "shop owner", 15, None),
        ("Any response", "engagement", None, None, 10, 30),
        ("Attended", "engagement", None, "Converted", 25, 60),
    ):
        demo.add(
            ScoringRule(
                name=name,
                kind=kind,
                attribute=attribute,
                value=value,
                points=points,
                half_life_days=half_life,
            )
        )
    await demo.insert()
