"""The core's share of ``serve --demo``: customers, contact points, households and employers,
a year of interactions, and open, overdue and recurring tasks.

Everything comes from the ``rng`` the host passes in, ids included, and dates count back from
``today``; the same seed on the same day gives the same rows. Rows go in as bulk inserts on
the tables (``session.execute(insert(table_of(Model)), rows)``): one executemany per table, without
the ORM's per-row bookkeeping, which keeps the load to a few seconds on SQLite.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.db import table_of
from rapport.core.models import (
    ContactPoint,
    Customer,
    Interaction,
    Relationship,
    Task,
    User,
    Workspace,
)

__all__ = ["DemoRows", "DemoSize", "build_rows", "insert_rows", "load_core_demo"]

FIRST_NAMES = (
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Ben",
    "Chen",
    "Clara",
    "Dara",
    "Diego",
    "Elena",
    "Emil",
    "Farah",
    "Finn",
    "Grace",
    "Hana",
    "Ibrahim",
    "Ines",
    "Jonas",
    "Julia",
    "Kai",
    "Lena",
    "Liam",
    "Lucia",
    "Malik",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Sara",
    "Sven",
    "Tariq",
    "Theo",
    "Uma",
    "Vera",
    "Wei",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Andersen",
    "Baker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Berg",
    "Lindqvist",
)
COMPANY_WORDS = (
    "Acme",
    "Apex",
    "Birch",
    "Cedar",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Ridge",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Zenith",
)
COMPANY_SUFFIXES = ("Ltd", "Group", "Partners", "Holdings", "Labs", "Co", "Systems", "Trading")
INDUSTRIES = (
    "finance",
    "retail",
    "healthcare",
    "manufacturing",
    "technology",
    "education",
    "hospitality",
    "logistics",
    "energy",
    "agriculture",
)
REGIONS = ("North", "South", "East", "West", "Central", "Capital")
OCCUPATIONS = (
    "engineer",
    "teacher",
    "nurse",
    "accountant",
    "shop owner",
    "farmer",
    "doctor",
    "student",
    "retired",
    "designer",
    "driver",
    "lawyer",
)
CHANNELS = ("web", "referral", "event", "partner", "cold call", "advertising")
STATUSES = ("lead", "prospect", "active", "active", "active", "dormant", "churned", "won_back")
TAGS = ("vip", "newsletter", "high-touch", "at-risk", "partner", "upsell", "paper-mail")
INTERACTION_KINDS = (
    ("call", 30),
    ("email", 30),
    ("meeting", 12),
    ("note", 14),
    ("message", 8),
    ("visit", 4),
    ("complaint", 2),
)
OUTCOMES = ("interested", "no answer", "call back", "resolved", "not interested", None)
DEMO_USERS = (
    ("sam.rivera@demo.example", "Sam Rivera", "member"),
    ("noor.haddad@demo.example", "Noor Haddad", "member"),
    ("kim.larsen@demo.example", "Kim Larsen", "member"),
    ("alex.morgan@demo.example", "Alex Morgan", "viewer"),
)


@dataclass(frozen=True)
class DemoSize:
    customers: int = 3000
    organization_share: float = 0.2
    interactions_per_customer: float = 10.0
    days_of_history: int = 365


@dataclass
class DemoRows:
    """Rows per model, in insert order (parents before children)."""

    users: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    contact_points: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)


class _Builder:
    def __init__(self, workspace_id: uuid.UUID, rng: random.Random, today: date) -> None:
        self.workspace_id = workspace_id
        self.rng = rng
        self.now = datetime.combine(today, time(9), tzinfo=UTC)
        self.rows = DemoRows()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def row(self, **values: Any) -> dict[str, Any]:
        return {"workspace_id": self.workspace_id, "id": self.new_id(), **values}

    def moment(self, days_back: int) -> datetime:
        """A working-hours moment ``days_back`` days before today."""
        offset = timedelta(
            days=days_back, hours=-self.rng.randint(0, 8), minutes=-self.rng.randint(0, 59)
        )
        return self.now - offset

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.rng.randrange(len(items))]


def _users(build: _Builder) -> list[uuid.UUID]:
    for email, name, role in DEMO_USERS:
        build.rows.users.append(
            build.row(
                email=email, display_name=name, role=role, is_active=True, created_at=build.now
            )
        )
    return [user["id"] for user in build.rows.users if user["role"] == "member"]


def _customer(build: _Builder, kind: str, owners: list[uuid.UUID], index: int) -> dict[str, Any]:
    rng = build.rng
    created = build.moment(rng.randint(30, 900))
    common = {
        "kind": kind,
        "lifecycle_status": build.pick(STATUSES),
        "owner_id": build.pick(owners) if rng.random() < 0.85 else None,
        "tags": sorted(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))),
        "industry": build.pick(INDUSTRIES),
        "region": build.pick(REGIONS),
        "source_channel": build.pick(CHANNELS),
        "attributes": {},
        "version": 1,
        "created_at": created,
        "updated_at": created,
    }
    if kind == "organization":
        words = (build.pick(COMPANY_WORDS), build.pick(COMPANY_WORDS), build.pick(COMPANY_SUFFIXES))
        name = " ".join(words)
        return build.row(display_name=name, organization_name=name, **common)
    first, last = build.pick(FIRST_NAMES), build.pick(LAST_NAMES)
    age_days = rng.randint(16 * 365, 88 * 365)
    return build.row(
        display_name=f"{first} {last}",
        first_name=first,
        last_name=last,
        occupation=build.pick(OCCUPATIONS),
        birth_date=build.now.date() - timedelta(days=age_days),
        **common,
    )


def _contact(
    build: _Builder, customer: dict[str, Any], kind: str, value: str, normalized: str, primary: bool
) -> None:
    build.rows.contact_points.append(
        build.row(
            customer_id=customer["id"],
            kind=kind,
            label="work" if customer["kind"] == "organization" else "home",
            value=value,
            normalized_value=normalized,
            is_primary=primary,
            consent_marketing=build.rng.random() < 0.4,
            do_not_contact=build.rng.random() < 0.03,
            verified=build.rng.random() < 0.6,
            created_at=customer["created_at"],
            updated_at=customer["created_at"],
        )
    )


def _contact_points(build: _Builder, customer: dict[str, Any], index: int) -> None:
    rng = build.rng
    digits = f"{rng.randint(100, 999)}{rng.randint(1000000, 9999999)}"
    if customer["kind"] == "organization":
        domain = customer["display_name"].split()[0].lower() + f"{index}.example"
        _contact(build, customer, "website", f"https://{domain}", f"https://{domain}", True)
        _contact(build, customer, "email", f"info@{domain}", f"info@{domain}", True)
    else:
        local = f"{customer['first_name']}.{customer['last_name']}{index}".lower()
        _contact(build, customer, "email", f"{local}@mail.example", f"{local}@mail.example", True)
        if rng.random() < 0.3:
            _contact(
                build, customer, "email", f"{local}@work.example", f"{local}@work.example", False
            )
    if rng.random() < 0.75:
        _contact(build, customer, "phone", f"+44 {digits[:3]} {digits[3:]}", f"+44{digits}", True)
    if rng.random() < 0.4:
        street = f"{rng.randint(1, 240)} {build.pick(COMPANY_WORDS)} Street, {customer['region']}"
        _contact(build, customer, "address", street, " ".join(street.lower().split()), True)


def _relationship(
    build: _Builder,
    type_key: str,
    source: dict[str, Any],
    target: dict[str, Any],
    role: str | None = None,
) -> None:
    start = max(source["created_at"], target["created_at"]).date()
    build.rows.relationships.append(
        build.row(
            type_key=type_key,
            from_customer_id=source["id"],
            to_customer_id=target["id"],
            role=role,
            start_date=start,
            created_at=source["created_at"],
            updated_at=source["created_at"],
        )
    )


def _households_and_employers(
    build: _Builder, people: list[dict[str, Any]], organizations: list[dict[str, Any]]
) -> None:
    rng = build.rng
    shuffled = people[:]
    rng.shuffle(shuffled)
    position = 0
    # About half the people share a household of two to four; each member points at the first.
    while position < len(shuffled) // 2:
        size = rng.randint(2, 4)
        head, *members = shuffled[position : position + size]
        for member in members:
            _relationship(build, "household_member", member, head)
        position += size
    for person in people:
        if (
            organizations
            and rng.random() < 0.6
            and person["occupation"] not in ("student", "retired")
        ):
            _relationship(
                build, "employee_of", person, build.pick(organizations), person["occupation"]
            )


def _interactions(
    build: _Builder, customers: list[dict[str, Any]], users: list[uuid.UUID], size: DemoSize
) -> None:
    rng = build.rng
    kinds = [kind for kind, _weight in INTERACTION_KINDS]
    weights = [weight for _kind, weight in INTERACTION_KINDS]
    for customer in customers:
        # Some customers are busy, many are quiet: an exponential spread around the mean.
        count = min(int(rng.expovariate(1 / size.interactions_per_customer)), 80)
        for _ in range(count):
            kind = rng.choices(kinds, weights)[0]
            at = build.moment(rng.randint(0, size.days_of_history))
            build.rows.interactions.append(
                build.row(
                    customer_id=customer["id"],
                    kind=kind,
                    channel={"call": "phone", "email": "email", "message": "chat"}.get(kind),
                    direction=rng.choice(("inbound", "outbound", "outbound")),
                    occurred_at=at,
                    subject=f"{kind.title()} with {customer['display_name']}",
                    outcome=build.pick(OUTCOMES),
                    duration_seconds=rng.randint(60, 3600)
                    if kind in ("call", "meeting", "visit")
                    else None,
                    user_id=build.pick(users),
                    created_at=at,
                    updated_at=at,
                )
            )


def _tasks(build: _Builder, customers: list[dict[str, Any]], users: list[uuid.UUID]) -> None:
    rng = build.rng
    for customer in customers:
        roll = rng.random()
        if roll > 0.45:
            continue
        assignee = customer["owner_id"] or build.pick(users)
        recurring = roll < 0.08
        due = build.now + timedelta(days=rng.randint(-30, 45), hours=rng.randint(0, 8))
        series = build.new_id() if recurring else None
        created = min(due, build.now) - timedelta(days=rng.randint(1, 20))
        build.rows.tasks.append(
            {
                "workspace_id": build.workspace_id,
                "id": series or build.new_id(),
                "customer_id": customer["id"],
                "title": (
                    "Quarterly check-in call"
                    if recurring
                    else rng.choice(
                        (
                            "Call back",
                            "Send proposal",
                            "Follow up on complaint",
                            "Renewal review",
                            "Update details",
                        )
                    )
                ),
                "status": "in_progress" if rng.random() < 0.15 else "open",
                "priority": rng.choice(("low", "normal", "normal", "high", "urgent")),
                "due_at": due,
                "remind_at": due - timedelta(days=1),
                "assignee_id": assignee,
                "created_by_id": assignee,
                "recurrence": "FREQ=MONTHLY;INTERVAL=3" if recurring else None,
                "series_id": series,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )


def build_rows(
    workspace_id: uuid.UUID,
    rng: random.Random,
    today: date,
    size: DemoSize,
    owners: list[uuid.UUID] | None = None,
    staff: Sequence[uuid.UUID] = (),
) -> DemoRows:
    """The rows of one demo data set; with ``owners``, no users are made and those own it.

    ``staff`` are users already in the workspace who own customers and tasks beside the
    owners, so whoever explores the demo with their own key finds work of their own.
    """
    build = _Builder(workspace_id, rng, today)
    owners = [*(owners or _users(build)), *staff]
    organizations_wanted = int(size.customers * size.organization_share)
    for index in range(size.customers):
        kind = "organization" if index < organizations_wanted else "person"
        customer = _customer(build, kind, owners, index)
        build.rows.customers.append(customer)
        _contact_points(build, customer, index)
    people = [c for c in build.rows.customers if c["kind"] == "person"]
    organizations = [c for c in build.rows.customers if c["kind"] == "organization"]
    _households_and_employers(build, people, organizations)
    _interactions(build, build.rows.customers, owners, size)
    _tasks(build, build.rows.customers, owners)
    return build.rows


async def insert_rows(session: AsyncSession, rows: DemoRows) -> None:
    """Bulk-insert ``rows``, parents before children."""
    # The customers' columns differ by kind (people have names, organisations do not); bulk
    # inserts want one shape per batch.
    shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
    for customer in rows.customers:
        shapes.setdefault(frozenset(customer), []).append(customer)
    if rows.users:
        await session.execute(insert(table_of(User)), rows.users)
    for batch in shapes.values():
        await session.execute(insert(table_of(Customer)), batch)
    if session.get_bind().dialect.name == "postgresql":
        # Fresh tables have no statistics, so the foreign key checks of the inserts below
        # would scan the customers table once per row; statistics make them index lookups.
        await session.execute(text("ANALYZE users, customers"))
    for model, batch in (
        (ContactPoint, rows.contact_points),
        (Relationship, rows.relationships),
        (Interaction, rows.interactions),
        (Task, rows.tasks),
    ):
        if batch:
            await session.execute(insert(table_of(model)), batch)


async def load_core_demo(
    session: AsyncSession,
    workspace: Workspace,
    rng: random.Random,
    today: date | None = None,
    size: DemoSize | None = None,
) -> None:
    today = today or datetime.now(UTC).date()
    admins = await session.execute(
        select(User.id).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id)
    )
    rows = build_rows(workspace.id, rng, today, size or DemoSize(), staff=list(admins.scalars()))
    await insert_rows(session, rows)
