"""Demo data for ``serve --demo``: pipelines, leads, deals with history, products, quotes,
orders, payments, territories, quotas and a commission plan.

Runs after core's loader and works on the customers and users it finds (it adds a few
organisations when there are none). Every choice comes from the given ``rng`` and ids are
drawn from it too, so one seed gives the same data relative to the day it is loaded; dates
are anchored on that day so forecasts and funnels have something current to show.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer, User
from rapport.plugins.sales.models import (
    CommissionPlan,
    Lead,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    Pipeline,
    Product,
    ProductPrice,
    Quota,
    Quote,
    QuoteLine,
    Stage,
    StageChange,
    Territory,
    TerritoryMember,
)
from rapport.plugins.sales.services.pipelines import DEFAULT_STAGES, StageSpec
from rapport.plugins.sales.services.quotes import line_total

__all__ = ["load_sales_demo"]

OPPORTUNITIES = 120
LEADS = 40
RENEWAL_STAGES = (
    StageSpec("Open", 40),
    StageSpec("Negotiation", 70),
    StageSpec("Renewed", 100, "won"),
    StageSpec("Churned", 0, "lost"),
)
PRODUCTS = (
    ("CRM-SEAT", "CRM seat, yearly", "software", Decimal("480")),
    ("CRM-API", "API add-on, yearly", "software", Decimal("1200")),
    ("ONBOARD", "Onboarding package", "services", Decimal("2500")),
    ("TRAIN-DAY", "Training day", "services", Decimal("900")),
    ("KIOSK", "Check-in kiosk", "hardware", Decimal("1800")),
)
LOST_REASONS = ("price", "timing", "no decision", "features", "went with incumbent")
COMPETITORS = ("Globex", "Initech", "Umbrella", "Hooli")
LEAD_SOURCES = ("web", "referral", "event", "cold call", "partner")
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
COMPANIES = ("Acme", "Globex", "Soylent", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Aperture")


INSERT_ORDER: tuple[type, ...] = (
    Customer,
    Pipeline,
    Stage,
    Territory,
    TerritoryMember,
    Product,
    ProductPrice,
    Lead,
    Opportunity,
    StageChange,
    Quote,
    QuoteLine,
    Order,
    OrderLine,
    Payment,
    Quota,
    CommissionPlan,
)


@dataclass
class Demo:
    session: AsyncSession
    workspace_id: uuid.UUID
    rng: random.Random
    today: date

    def id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date) -> datetime:
        minutes = self.rng.randrange(8 * 60, 18 * 60)
        return datetime.combine(day, time(), tzinfo=UTC) + timedelta(minutes=minutes)

    rows: dict[type, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def add(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.rows[type(row)].append(row)

    async def insert(self) -> None:
        """Everything added, one bulk insert per table, parents before children (the tables
        have no ORM relationships for the unit of work to order them by)."""
        for model in INSERT_ORDER:
            self.session.add_all(self.rows.pop(model, []))
            await self.session.flush()
        assert not self.rows, f"no insert order for {sorted(t.__name__ for t in self.rows)}"


async def _customers_and_users(demo: Demo) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    session = demo.session
    users = list((await session.execute(select(User.id).order_by(User.email))).scalars())
    customers = list(
        (
            await session.execute(
                select(Customer.id)
                .where(Customer.deleted_at.is_(None))
                .order_by(Customer.created_at, Customer.id)
                .limit(500)
            )
        ).scalars()
    )
    if not customers:
        rows = [
            Customer(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                kind="organization",
                display_name=f"{name} {suffix}",
                organization_name=f"{name} {suffix}",
                lifecycle_status="prospect",
                tags=[],
                attributes={},
            )
            for name in COMPANIES
            for suffix in ("Ltd", "Group", "Labs")
        ]
        demo.add(rows)
        customers = [row.id for row in rows]
    return customers, users


def _pipeline(demo: Demo, name: str, specs: Sequence[StageSpec], default: bool) -> list[Stage]:
    pipeline = Pipeline(workspace_id=demo.workspace_id, id=demo.id(), name=name, is_default=default)
    stages = [
        Stage(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            pipeline_id=pipeline.id,
            name=spec.name,
            position=position,
            probability=spec.probability,
            category=spec.category,
        )
        for position, spec in enumerate(specs)
    ]
    demo.add([pipeline, *stages])
    return stages


def _territories(demo: Demo, users: list[uuid.UUID]) -> list[Territory]:
    tree = {"EMEA": ("France", "Germany"), "Americas": ("United States", "Brazil")}
    territories: list[Territory] = []
    for region, countries in tree.items():
        parent = Territory(workspace_id=demo.workspace_id, id=demo.id(), name=region)
        territories.append(parent)
        territories.extend(
            Territory(workspace_id=demo.workspace_id, id=demo.id(), name=c, parent_id=parent.id)
            for c in countries
        )
    demo.add(territories)
    leaves = [t for t in territories if t.parent_id is not None]
    demo.add(
        [
            TerritoryMember(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                territory_id=leaves[index % len(leaves)].id,
                user_id=user,
            )
            for index, user in enumerate(users)
        ]
    )
    return leaves


def _products(demo: Demo) -> list[tuple[Product, Decimal]]:
    products: list[tuple[Product, Decimal]] = []
    for sku, name, family, price in PRODUCTS:
        product = Product(
            workspace_id=demo.workspace_id, id=demo.id(), sku=sku, name=name, family=family
        )
        products.append((product, price))
        demo.add(
            [
                product,
                ProductPrice(
                    workspace_id=demo.workspace_id,
                    id=demo.id(),
                    product_id=product.id,
                    currency="EUR",
                    unit_price=price,
                ),
                ProductPrice(
                    workspace_id=demo.workspace_id,
                    id=demo.id(),
                    product_id=product.id,
                    currency="USD",
                    unit_price=(price * Decimal("1.1")).quantize(Decimal("1")),
                ),
            ]
        )
    return products


def _opportunity(
    demo: Demo,
    stages: list[Stage],
    customer: uuid.UUID,
    owner: uuid.UUID | None,
    territory: uuid.UUID | None,
) -> tuple[Opportunity, list[StageChange]]:
    """A deal walked forward through some open stages, then maybe won or lost."""
    rng = demo.rng
    open_stages = [s for s in stages if s.category == "open"]
    won = next(s for s in stages if s.category == "won")
    lost = next(s for s in stages if s.category == "lost")
    path = open_stages[: rng.randint(1, len(open_stages))]
    ending = rng.random()
    if ending < 0.3:
        path.append(won)
    elif ending < 0.5:
        path.append(lost)
    # Gaps first, so the walk ends in the past and the history is in order.
    gaps = [rng.randint(2, 25) for _ in path[1:]]
    day = demo.today - timedelta(days=sum(gaps) + rng.randint(1, 120))
    opportunity_id = demo.id()
    history: list[StageChange] = []
    previous: Stage | None = None
    for stage, gap in zip(path, [0, *gaps], strict=True):
        day += timedelta(days=gap)
        history.append(
            StageChange(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                opportunity_id=opportunity_id,
                from_stage_id=previous.id if previous else None,
                to_stage_id=stage.id,
                changed_at=demo.at(day),
                changed_by_id=owner,
            )
        )
        previous = stage
    final = path[-1]
    closed = final.category != "open"
    amount = Decimal(rng.randrange(20, 400) * 250)
    opportunity = Opportunity(
        workspace_id=demo.workspace_id,
        id=opportunity_id,
        name=f"{rng.choice(('Rollout', 'Pilot', 'Expansion', 'Renewal'))} {rng.randint(1, 99)}",
        customer_id=customer,
        owner_id=owner,
        pipeline_id=final.pipeline_id,
        stage_id=final.id,
        territory_id=territory,
        amount=amount,
        currency="EUR",
        probability=final.probability,
        expected_close_date=history[-1].changed_at.date()
        if closed
        else demo.today + timedelta(days=rng.randint(5, 150)),
        source_campaign_id=rng.choice((None, "spring-webinar", "trade-fair", "newsletter")),
        lost_reason=rng.choice(LOST_REASONS) if final.category == "lost" else None,
        competitor=rng.choice(COMPETITORS) if final.category == "lost" else None,
        closed_at=history[-1].changed_at if closed else None,
    )
    return opportunity, history


def _sale(demo: Demo, deal: Opportunity, products: list[tuple[Product, Decimal]]) -> list[Any]:
    """The accepted quote, the order and its payments behind a won deal."""
    rng = demo.rng
    assert deal.closed_at is not None
    quote = Quote(
        workspace_id=demo.workspace_id,
        id=demo.id(),
        customer_id=deal.customer_id,
        opportunity_id=deal.id,
        currency="EUR",
        status="accepted",
        sent_at=deal.closed_at - timedelta(days=7),
        decided_at=deal.closed_at,
    )
    order = Order(
        workspace_id=demo.workspace_id,
        id=demo.id(),
        quote_id=quote.id,
        customer_id=deal.customer_id,
        opportunity_id=deal.id,
        owner_id=deal.owner_id,
        currency="EUR",
    )
    rows: list[Any] = [quote, order]
    total = Decimal("0")
    for position, (product, price) in enumerate(rng.sample(products, rng.randint(1, 3))):
        quantity = Decimal(rng.randint(1, 20))
        discount = Decimal(rng.choice((0, 0, 5, 10)))
        amount = line_total(quantity, price, discount)
        total += amount
        rows.append(
            QuoteLine(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                quote_id=quote.id,
                position=position,
                product_id=product.id,
                description=product.name,
                quantity=quantity,
                unit_price=price,
                discount_percent=discount,
                line_total=amount,
            )
        )
        rows.append(
            OrderLine(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                order_id=order.id,
                position=position,
                product_id=product.id,
                family=product.family,
                quantity=quantity,
                unit_price=price,
                line_total=amount,
            )
        )
    quote.total = order.total = total
    # Most orders are paid in one or two instalments; some are still open.
    instalments = rng.choice((0, 1, 1, 2))
    for number in range(instalments):
        received = min(deal.closed_at + timedelta(days=15 + 30 * number), datetime.now(UTC))
        rows.append(
            Payment(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                order_id=order.id,
                customer_id=deal.customer_id,
                owner_id=deal.owner_id,
                amount=(total / instalments).quantize(Decimal("0.01")),
                currency="EUR",
                received_at=received,
                method=rng.choice(("bank_transfer", "card", "direct_debit")),
            )
        )
    return rows


def _leads(demo: Demo, users: list[uuid.UUID]) -> list[Lead]:
    rng = demo.rng
    statuses = ("new", "new", "working", "working", "qualified", "disqualified")
    leads = []
    for _ in range(LEADS):
        status = rng.choice(statuses)
        leads.append(
            Lead(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                company=f"{rng.choice(COMPANIES)} {rng.choice(('Ltd', 'GmbH', 'SA', 'Inc'))}",
                source=rng.choice(LEAD_SOURCES),
                status=status,
                owner_id=rng.choice(users) if users else None,
                disqualify_reason="no budget" if status == "disqualified" else None,
            )
        )
    return leads


def _quotas(demo: Demo, users: list[uuid.UUID], territories: list[Territory]) -> list[Quota]:
    year = demo.today.year
    quarters = []
    for month in (1, 4, 7, 10):
        following = date(year + 1, 1, 1) if month == 10 else date(year, month + 3, 1)
        quarters.append((date(year, month, 1), following - timedelta(days=1)))
    quotas: list[Quota] = []
    for start, end in quarters:
        for user in users:
            amount = Decimal(demo.rng.randrange(8, 20) * 10000)
            quotas.append(
                Quota(
                    workspace_id=demo.workspace_id,
                    id=demo.id(),
                    user_id=user,
                    period_start=start,
                    period_end=end,
                    amount=amount,
                    currency="EUR",
                )
            )
        for territory in territories:
            quotas.append(
                Quota(
                    workspace_id=demo.workspace_id,
                    id=demo.id(),
                    territory_id=territory.id,
                    period_start=start,
                    period_end=end,
                    amount=Decimal(demo.rng.randrange(20, 60) * 10000),
                    currency="EUR",
                )
            )
    return quotas


async def load_sales_demo(session: AsyncSession, workspace: Any, rng: random.Random) -> None:
    demo = Demo(session, workspace.id, rng, datetime.now(UTC).date())
    customers, users = await _customers_and_users(demo)
    sales = _pipeline(demo, "Sales", DEFAULT_STAGES, default=True)
    renewals = _pipeline(demo, "Renewals", RENEWAL_STAGES, default=False)
    territories = _territories(demo, users)
    products = _products(demo)
    demo.add(_leads(demo, users))
    for _ in range(OPPORTUNITIES):
        stages = sales if rng.random() < 0.8 else renewals
        owner = rng.choice(users) if users else None
        territory = rng.choice(territories).id if rng.random() < 0.7 else None
        deal, history = _opportunity(demo, stages, rng.choice(customers), owner, territory)
        demo.add([deal, *history])
        if deal.closed_at is not None and deal.stage_id in {
            s.id for s in stages if s.category == "won"
        }:
            demo.add(_sale(demo, deal, products))
    demo.add(_quotas(demo, users, territories))
    demo.add(
        [
            CommissionPlan(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                name="Standard",
                rate=Decimal("0.05"),
                family_rates={"services": "0.03", "software": "0.08"},
                tiers=[
                    {"attainment": "1.0", "multiplier": "1.5"},
                    {"attainment": "1.5", "multiplier": "2"},
                ],
            )
        ]
    )
    await demo.insert()
