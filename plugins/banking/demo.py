"""Demo data for ``serve --demo``: managers with books, households, accounts with balance
history, ratings (some overdue), revenue, surveys, training and the resulting key clients.

Everything is derived from the loader's ``rng``, so the same seed gives the same bank. Rows are
written with bulk inserts. Customers and users come from what earlier loaders (core's) wrote;
a workspace with too few customers gets a set of its own first.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer, Relationship, User, new_id, utcnow
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER
from rapport.plugins.banking.config import BankingConfig
from rapport.plugins.banking.models import (
    AccountHolder,
    Assignment,
    BalanceSnapshot,
    ClientRevenue,
    FinancialAccount,
    FinancialProduct,
    Household,
    KeyClientTier,
    RelationshipManager,
    RiskRating,
    SurveyScore,
    TrainingRecord,
)
from rapport.plugins.banking.services.tiers import assign_tiers, client_values

__all__ = ["load_demo"]

MIN_CUSTOMERS = 40
PRODUCTS = [
    ("CURRENT", "Current account", "deposit"),
    ("SAVER", "Instant saver", "savings"),
    ("FUND", "Managed fund", "investment"),
    ("PENSION", "Private pension", "pension"),
    ("CARD", "Credit card", "card"),
    ("LOAN", "Personal loan", "loan"),
    ("MORTGAGE", "Home mortgage", "mortgage"),
    ("LIFE", "Life cover", "insurance"),
]
TEAMS = {
    "north": ("Leeds", ["rm.amira", "rm.ben", "rm.chloe"]),
    "south": ("Bristol", ["rm.dev", "rm.elena", "rm.farid"]),
}
COURSES = [
    "Suitability",
    "AML refresher",
    "Ethics",
    "Credit analysis",
    "Pensions",
    "Estate planning",
]
RATINGS = {
    "credit": ["AA", "A", "BBB", "BB", "B"],
    "liquidity": ["STRONG", "ADEQUATE", "WEAK"],
    "aml_kyc": ["LOW", "MEDIUM", "HIGH"],
}
ADMIN_BOOK_SIZE = 12
FIRST_NAMES = ["Ada", "Alan", "Grace", "Kurt", "Emmy", "Carl", "Marie", "Niels", "Lise", "Paul"]
LAST_NAMES = ["Byron", "Moore", "Noether", "Gauss", "Curie", "Bohr", "Meitner", "Dirac"]


async def _users(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The demo staff, created when missing: a branch head, two team leads, six managers."""
    wanted = {"branch.head": "branch_head"}
    for team, (_, managers) in TEAMS.items():
        wanted[f"lead.{team}"] = "team_lead"
        wanted.update(dict.fromkeys(managers, "relationship_manager"))
    emails = {f"{name}@demo.example": (name, role) for name, role in wanted.items()}
    found = await session.execute(select(User.email, User.id).where(User.email.in_(emails)))
    existing: dict[str, uuid.UUID] = {row[0]: row[1] for row in found}
    rows: list[dict[str, Any]] = [
        {
            "workspace_id": workspace_id,
            "id": new_id(),
            "email": email,
            "display_name": name,
            "role": role,
            "is_active": True,
            "created_at": utcnow(),
        }
        for email, (name, role) in emails.items()
        if email not in existing
    ]
    if rows:
        await session.execute(insert(User), rows)
    existing.update({row["email"]: row["id"] for row in rows})
    return {emails[email][0]: user_id for email, user_id in existing.items()}


async def _customers(
    session: AsyncSession, workspace_id: uuid.UUID, rng: random.Random
) -> list[tuple[uuid.UUID, str]]:
    found = list(
        (
            await session.execute(
                select(Customer.id, Customer.kind)
                .where(Customer.deleted_at.is_(None))
                .order_by(Customer.created_at, Customer.id)
            )
        ).all()
    )
    if len(found) >= MIN_CUSTOMERS:
        return [(row[0], row[1]) for row in found]
    rows: list[dict[str, Any]] = []
    for index in range(MIN_CUSTOMERS - len(found)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            {
                "workspace_id": workspace_id,
                "id": new_id(),
                "kind": "person",
                "display_name": f"{first} {last}",
                "first_name": first,
                "last_name": last,
                "lifecycle_status": "active",
                "tags": [],
                "attributes": {},
                "version": 1,
                "created_at": utcnow() - timedelta(days=index),
                "updated_at": utcnow(),
            }
        )
    await session.execute(insert(Customer), rows)
    created: list[tuple[uuid.UUID, str]] = [(row["id"], "person") for row in rows]
    return [(row[0], row[1]) for row in found] + created


def _month_starts(today: date, months: int) -> list[date]:
    firsts = []
    for back in range(months, 0, -1):
        index = today.year * 12 + today.month - 1 - back
        firsts.append(date(index // 12, index % 12 + 1, 1))
    return firsts


async def load_demo(session: AsyncSession, workspace: Any, rng: random.Random) -> None:
    ws = workspace.id
    today = utcnow().date()
    users = await _users(session, ws)
    customers = await _customers(session, ws, rng)
    stamp = {"workspace_id": ws}

    profiles = []
    managers: list[uuid.UUID] = []
    for team, (branch, names) in TEAMS.items():
        lead = users[f"lead.{team}"]
        profiles.append(
            {
                **stamp,
                "id": new_id(),
                "user_id": lead,
                "branch": branch,
                "segment": "private",
                "grade": "senior",
                "team_lead_user_id": None,
            }
        )
        for name in names:
            managers.append(users[name])
            profiles.append(
                {
                    **stamp,
                    "id": new_id(),
                    "user_id": users[name],
                    "branch": branch,
                    "segment": rng.choice(["retail", "private", "business"]),
                    "grade": rng.choice(["junior", "senior"]),
                    "team_lead_user_id": lead,
                }
            )
    await session.execute(insert(RelationshipManager), profiles)

    products = []
    for code, name, kind in PRODUCTS:
        products.append({**stamp, "id": new_id(), "code": code, "name": name, "kind": kind})
    await session.execute(insert(FinancialProduct), products)

    # Households: a few groups of two or three people, the first of each the primary member.
    people = [cid for cid, kind in customers if kind == "person"]
    households, edges = [], []
    for start in range(0, min(len(people), 18), 3):
        group = people[start : start + rng.choice([2, 3])]
        if len(group) < 2:
            break
        household_id = new_id()
        households.append(
            {
                **stamp,
                "id": household_id,
                "name": f"Household {start // 3 + 1}",
                "primary_customer_id": group[0],
            }
        )
        for member in group[1:]:
            edges.append(
                {
                    **stamp,
                    "id": new_id(),
                    "type_key": HOUSEHOLD_MEMBER,
                    "from_customer_id": member,
                    "to_customer_id": group[0],
                    "role": "member",
                    "start_date": today - timedelta(days=rng.randint(30, 900)),
                }
            )
    if households:
        await session.execute(insert(Household), households)
        await session.execute(insert(Relationship), edges)

    # Books: every customer has a primary manager; some changed hands (the history is kept)
    # and some have a backup.
    assignments = []
    for customer_id, _ in customers:
        manager = rng.choice(managers)
        since = today - timedelta(days=rng.randint(60, 900))
        if rng.random() < 0.15:
            previous = rng.choice([m for m in managers if m != manager])
            earlier = since - timedelta(days=rng.randint(90, 400))
            assignments.append(
                {
                    **stamp,
                    "id": new_id(),
                    "manager_user_id": previous,
                    "customer_id": customer_id,
                    "role": "primary",
                    "valid_from": earlier,
                    "valid_to": since,
                    "ended_reason": "reassigned",
                }
            )
        assignments.append(
            {
                **stamp,
                "id": new_id(),
                "manager_user_id": manager,
                "customer_id": customer_id,
                "role": "primary",
                "valid_from": since,
            }
        )
        if rng.random() < 0.2:
            backup = rng.choice([m for m in managers if m != manager])
            assignments.append(
                {
                    **stamp,
                    "id": new_id(),
                    "manager_user_id": backup,
                    "customer_id": customer_id,
                    "role": "backup",
                    "valid_from": since,
                }
            )
    # The workspace's admins back up a few clients each, so that `myBook` shows a book to
    # whoever explores the demo with the admin key it prints.
    admins = await session.execute(select(User.id).where(User.role == "admin").order_by(User.id))
    for admin in admins.scalars():
        for customer_id, _ in rng.sample(customers, min(ADMIN_BOOK_SIZE, len(customers))):
            assignments.append(
                {
                    **stamp,
                    "id": new_id(),
                    "manager_user_id": admin,
                    "customer_id": customer_id,
                    "role": "backup",
                    "valid_from": today - timedelta(days=30),
                }
            )
    await session.execute(insert(Assignment), assignments)

    # Accounts with a year of month-end balances.
    accounts, holders, snapshots = [], [], []
    months = _month_starts(today, 12)
    for position, (customer_id, _) in enumerate(customers):
        for product in rng.sample(products, rng.randint(1, 4)):
            account_id = new_id()
            opened = months[0] - timedelta(days=rng.randint(0, 1500))
            balance = Decimal(rng.randint(500, 400_000))
            for first in months[1:]:
                balance = max(
                    Decimal("0"), balance * Decimal(str(round(rng.uniform(0.97, 1.04), 3)))
                )
                snapshots.append(
                    {
                        **stamp,
                        "id": new_id(),
                        "account_id": account_id,
                        "as_of": first - timedelta(days=1),
                        "balance": balance.quantize(Decimal("0.01")),
                    }
                )
            number = f"DE{rng.randint(10, 99)}{position:04d}{rng.randint(10**9, 10**10 - 1)}"
            accounts.append(
                {
                    **stamp,
                    "id": account_id,
                    "product_id": product["id"],
                    "number": number,
                    "currency": "EUR",
                    "status": "open",
                    "opened_on": opened,
                    "balance": balance.quantize(Decimal("0.01")),
                    "balance_as_of": months[-1] - timedelta(days=1),
                }
            )
            holders.append(
                {
                    **stamp,
                    "id": new_id(),
                    "account_id": account_id,
                    "customer_id": customer_id,
                    "role": "owner",
                    "is_primary": True,
                }
            )
    await session.execute(insert(FinancialAccount), accounts)
    await session.execute(insert(AccountHolder), holders)
    await session.execute(insert(BalanceSnapshot), snapshots)

    # Ratings: credit and AML/KYC for everyone, about one in six overdue for review.
    ratings, revenues, surveys = [], [], []
    for customer_id, _ in customers:
        for kind in ("credit", "aml_kyc"):
            rated = today - timedelta(days=rng.randint(30, 360))
            review = rated + timedelta(days=365)
            if rng.random() < 0.17:
                review = today - timedelta(days=rng.randint(1, 60))
                rated = review - timedelta(days=365)
            ratings.append(
                {
                    **stamp,
                    "id": new_id(),
                    "customer_id": customer_id,
                    "kind": kind,
                    "rating": rng.choice(RATINGS[kind]),
                    "rated_at": datetime.combine(rated, time(10), tzinfo=UTC),
                    "next_review_on": review,
                    "is_current": True,
                }
            )
        if rng.random() < 0.5:
            for first in months:
                revenues.append(
                    {
                        **stamp,
                        "id": new_id(),
                        "customer_id": customer_id,
                        "month": first,
                        "amount": Decimal(rng.randint(20, 900)),
                    }
                )
        if rng.random() < 0.3:
            surveys.append(
                {
                    **stamp,
                    "id": new_id(),
                    "customer_id": customer_id,
                    "score": rng.randint(4, 10),
                    "surveyed_on": today - timedelta(days=rng.randint(1, 300)),
                }
            )
    await session.execute(insert(RiskRating), ratings)
    if revenues:
        await session.execute(insert(ClientRevenue), revenues)
    if surveys:
        await session.execute(insert(SurveyScore), surveys)

    training = [
        {
            **stamp,
            "id": new_id(),
            "manager_user_id": manager,
            "course": course,
            "points": rng.choice([2, 4, 5, 8, 10]),
            "completed_on": today - timedelta(days=rng.randint(1, 500)),
        }
        for manager in managers
        for course in rng.sample(COURSES, rng.randint(2, 5))
    ]
    await session.execute(insert(TrainingRecord), training)

    config = BankingConfig()
    ranked = assign_tiers(
        await client_values(session, config, today), config.tier_a_share, config.tier_b_share
    )
    now = utcnow()
    tiers = [
        {
            **stamp,
            "id": new_id(),
            "customer_id": item.customer_id,
            "tier": tier,
            "assets": item.assets,
            "revenue": item.revenue,
            "value": item.value,
            "cumulative_share": share,
            "computed_at": now,
        }
        for item, tier, share in ranked
    ]
    if tiers:
        await session.execute(insert(KeyClientTier), tiers)
