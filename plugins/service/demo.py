"""Demo data for ``serve --demo``: calendars, SLA policies, escalation rules, a knowledge base,
installed products, cases of every kind and status with their history and conversation,
timers, surveys, field visits and service schedules.

Runs after core's loader and works on the customers and users it finds. Every choice comes
from the given ``rng``. The rows are written directly (the loader has no operation to run
services with) but follow the services' rules: every case's status history is a legal walk
through ``statuses.TRANSITIONS``, and its timers are what ``sla_clock`` computes from it.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer, Interaction, User
from rapport.plugins.service import business_time
from rapport.plugins.service.models import (
    Article,
    ArticleVersion,
    Asset,
    BusinessCalendar,
    Case,
    CaseStatus,
    CaseStatusChange,
    EscalationRule,
    ServiceSchedule,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
    SurveyInvitation,
    WorkOrder,
)
from rapport.plugins.service.sla_clock import CaseFacts, Entry, Target, compute_timer
from rapport.plugins.service.statuses import TRANSITIONS

__all__ = ["load_service_demo"]

CASES = 80
ASSETS = 30
WAITING = ["WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY"]
OFFICE = {str(day): [["09:00", "12:00"], ["13:00", "17:00"]] for day in range(5)}
ALWAYS = {str(day): [["00:00", "24:00"]] for day in range(7)}
# (name, position, conditions, calendar, targets: metric -> minutes)
POLICIES: tuple[tuple[str, int, dict[str, list[str]], str, dict[str, int]], ...] = (
    ("Urgent", 1, {"priorities": ["URGENT"]}, "always", {"FIRST_RESPONSE": 30, "RESOLUTION": 480}),
    (
        "Complaints",
        2,
        {"kinds": ["COMPLAINT"]},
        "office",
        {"FIRST_RESPONSE": 120, "RESOLUTION": 960},
    ),
    (
        "Standard",
        9,
        {},
        "office",
        {"FIRST_RESPONSE": 240, "NEXT_RESPONSE": 480, "RESOLUTION": 2400},
    ),
)
SUBJECTS = {
    "Billing": ("Charged twice this month", "Invoice amount is wrong", "Refund not received"),
    "Delivery": ("Parcel never arrived", "Delivered to the wrong address", "Late delivery"),
    "Product": ("Device does not start", "Screen flickers", "Battery drains fast"),
    "Account": ("Cannot log in", "Change of address", "Close my account"),
}
ROOT_CAUSES = {
    "Billing": ("Tariff migration", "Manual entry error"),
    "Delivery": ("Carrier delay", "Wrong address on file"),
    "Product": ("Faulty batch", "Misuse"),
    "Account": ("Password reset flow", "Data entry error"),
}
ARTICLES = (
    (
        "Billed twice: refund the second charge",
        "Billing",
        "Check the tariff migration log, refund the duplicate charge and correct the tariff.",
    ),
    (
        "Tracking a parcel that never arrived",
        "Delivery",
        "Open a carrier claim after five business days; resend at no charge.",
    ),
    (
        "Device does not start after an update",
        "Product",
        "Hold the power button for 20 seconds, then reinstall the firmware.",
    ),
    (
        "Resetting a forgotten password",
        "Account",
        "Send the reset link; links expire after one hour.",
    ),
    (
        "Screen flicker on early units",
        "Product",
        "Units of the faulty batch get a free screen replacement.",
    ),
    (
        "Changing a delivery address",
        "Delivery",
        "Addresses can change until the parcel leaves the warehouse.",
    ),
)
PRODUCTS = ("Boiler X200", "Heat pump HP9", "Thermostat T3", "Water softener S1")


INSERT_ORDER = (
    BusinessCalendar,
    SlaPolicy,
    SlaTarget,
    Article,
    ArticleVersion,
    CaseStatus,
    EscalationRule,
    Asset,
    Case,
    CaseStatusChange,
    Interaction,
    SlaTimer,
    SurveyInvitation,
    WorkOrder,
    ServiceSchedule,
)


class Demo:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID, rng: random.Random) -> None:
        self.session, self.workspace_id, self.rng = session, workspace_id, rng
        self.now = datetime.now(UTC).replace(second=0, microsecond=0)
        self.rows: list[Any] = []

    def id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, *rows: Any) -> None:
        self.rows.extend(rows)

    async def flush(self) -> None:
        """One table at a time, parents first (the tables have no ORM relationships for the
        unit of work to order them by)."""
        for model in INSERT_ORDER:
            self.session.add_all([row for row in self.rows if type(row) is model])
            await self.session.flush()
        assert all(type(row) in INSERT_ORDER for row in self.rows)
        self.rows = []


async def _people(session: AsyncSession) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    users = list((await session.execute(select(User.id).order_by(User.email))).scalars())
    customers = list(
        (
            await session.execute(
                select(Customer.id)
                .where(Customer.deleted_at.is_(None))
                .order_by(Customer.created_at, Customer.id)
                .limit(200)
            )
        ).scalars()
    )
    return customers, users


def _calendars(demo: Demo) -> dict[str, tuple[BusinessCalendar, business_time.Clock]]:
    office = BusinessCalendar(
        workspace_id=demo.workspace_id,
        id=demo.id(),
        name="Office hours",
        time_zone="Europe/Paris",
        weekly_hours=OFFICE,
        holiday_country="FR",
        is_default=True,
    )
    always = BusinessCalendar(
        workspace_id=demo.workspace_id,
        id=demo.id(),
        name="Around the clock",
        time_zone="Europe/Paris",
        weekly_hours=ALWAYS,
        is_default=False,
    )
    demo.add(office, always)

    def clock(row: BusinessCalendar, closed: Any) -> business_time.BusinessCalendar:
        weekly = {
            int(d): tuple(business_time.Window.between(a, b) for a, b in pairs)
            for d, pairs in row.weekly_hours.items()
        }
        return business_time.BusinessCalendar(row.time_zone, weekly, closed=closed)

    return {
        "office": (office, clock(office, holidays.country_holidays("FR"))),
        "always": (always, clock(always, frozenset())),
    }


def _policies(
    demo: Demo, calendars: dict[str, tuple[BusinessCalendar, business_time.Clock]]
) -> list[tuple[SlaPolicy, list[Target]]]:
    found = []
    for name, position, conditions, calendar, targets in POLICIES:
        row, clock = calendars[calendar]
        policy = SlaPolicy(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            name=name,
            position=position,
            active=True,
            conditions=conditions,
            calendar_id=row.id,
        )
        demo.add(policy)
        arithmetic = []
        for metric, minutes in targets.items():
            demo.add(
                SlaTarget(
                    workspace_id=demo.workspace_id,
                    id=demo.id(),
                    policy_id=policy.id,
                    metric=metric,
                    minutes=minutes,
                    business_hours=True,
                    pause_on=WAITING,
                    warning_percent=80,
                )
            )
            arithmetic.append(Target(metric, minutes * 60, clock, frozenset(WAITING), 0.8))
        found.append((policy, arithmetic))
    return found


def _matching(
    policies: list[tuple[SlaPolicy, list[Target]]], priority: str, kind: str
) -> tuple[SlaPolicy, list[Target]]:
    for policy, targets in policies:
        wanted = policy.conditions
        if wanted.get("priorities") and priority not in wanted["priorities"]:
            continue
        if wanted.get("kinds") and kind not in wanted["kinds"]:
            continue
        return policy, targets
    raise AssertionError("the last demo policy matches every case")


def _articles(demo: Demo) -> dict[str, Article]:
    by_category: dict[str, Article] = {}
    for title, category, body in ARTICLES:
        article = Article(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            title=title,
            body=body,
            category=category,
            locale="en",
            status="PUBLISHED",
            version=1,
            published_at=demo.now - timedelta(days=90),
            helpful_count=demo.rng.randrange(0, 40),
            unhelpful_count=demo.rng.randrange(0, 8),
        )
        demo.add(article)
        demo.add(
            ArticleVersion(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                article_id=article.id,
                version=1,
                title=title,
                body=body,
                saved_at=article.published_at,
            )
        )
        by_category.setdefault(category, article)
    return by_category


def _assets(demo: Demo, customers: list[uuid.UUID]) -> list[Asset]:
    today = demo.now.date()
    assets = []
    for number in range(min(ASSETS, len(customers))):
        installed = today - timedelta(days=demo.rng.randrange(30, 1500))
        years = demo.rng.choice((1, 2, 5))
        asset = Asset(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            customer_id=customers[number],
            product=demo.rng.choice(PRODUCTS),
            serial_number=f"SN-{100000 + number}",
            installed_at=installed,
            location=demo.rng.choice(("Kitchen", "Basement", "Plant room", "Office")),
            warranty_start=installed,
            warranty_end=installed + timedelta(days=365 * years),
            covers_parts=True,
            covers_labour=years > 1,
            status="ACTIVE",
        )
        assets.append(asset)
    demo.add(*assets)
    return assets


def _covers(asset: Asset, day: date) -> bool:
    start, end = asset.warranty_start, asset.warranty_end
    return start is not None and end is not None and start <= day <= end


def _walk(demo: Demo, opened: datetime, complaint: bool) -> list[tuple[datetime, str]]:
    """A legal walk through the statuses, each step a few business-ish hours after the last."""
    plan = ["NEW", "ASSIGNED", "IN_PROGRESS"]
    roll = demo.rng.random()
    if roll < 0.3:
        plan += ["WAITING_ON_CUSTOMER", "IN_PROGRESS"]
    if roll < 0.1:
        plan += ["WAITING_ON_THIRD_PARTY", "IN_PROGRESS"]
    ending = demo.rng.random()
    if ending < 0.55:
        plan += ["RESOLVED", "CLOSED"]
    elif ending < 0.7:
        plan += ["RESOLVED"]
    elif ending < 0.75 and not complaint:
        plan += ["REJECTED"]
    history: list[tuple[datetime, str]] = []
    at = opened
    for category in plan:
        if history:
            assert category in TRANSITIONS[history[-1][1]], (history[-1][1], category)
            at = at + timedelta(minutes=demo.rng.randrange(20, 60 * 30))
        if at > demo.now:
            break
        history.append((at, category))
    return history


def _case(
    demo: Demo,
    customer_id: uuid.UUID,
    agent: uuid.UUID | None,
    policies: list[tuple[SlaPolicy, list[Target]]],
    articles: dict[str, Article],
    asset: Asset | None,
) -> None:
    rng = demo.rng
    category = rng.choice(list(SUBJECTS))
    complaint = rng.random() < 0.3
    kind = "COMPLAINT" if complaint else rng.choice(("REQUEST", "INCIDENT", "QUESTION"))
    priority = rng.choices(("LOW", "NORMAL", "HIGH", "URGENT"), weights=(2, 6, 2, 1))[0]
    opened = demo.now - timedelta(minutes=rng.randrange(30, 60 * 24 * 60))
    history = _walk(demo, opened, complaint)
    policy, targets = _matching(policies, priority, kind)
    last_at, status = history[-1]
    solved = [at for at, c in history if c == "RESOLVED"]
    closed = [at for at, c in history if c == "CLOSED"]
    case = Case(
        workspace_id=demo.workspace_id,
        id=demo.id(),
        customer_id=customer_id,
        kind=kind,
        subject=rng.choice(SUBJECTS[category]),
        description="Reported by the customer.",
        channel=rng.choice(("PHONE", "EMAIL", "WEB", "CHAT")),
        category=category,
        priority=priority,
        severity=rng.randrange(1, 6),
        assignee_id=agent if len(history) > 1 else None,
        team=rng.choice(("Care", "Billing desk", "Field")),
        asset_id=asset.id if asset is not None else None,
        in_warranty=None if asset is None else _covers(asset, opened.date()),
        status_category=status,
        policy_id=policy.id,
        opened_at=opened,
        resolved_at=solved[-1] if solved else None,
        closed_at=closed[-1] if closed else None,
        last_update_at=last_at,
        reopen_count=0,
    )
    if solved:
        case.resolution_summary = "Solved as described in the knowledge base."
        case.solution_article_id = articles[category].id
    if complaint and closed:
        case.root_cause = rng.choice(ROOT_CAUSES[category])
    demo.add(case)
    previous = None
    for at, to in history:
        demo.add(
            CaseStatusChange(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                case_id=case.id,
                changed_at=at,
                from_category=previous,
                to_category=to,
                actor_id=agent,
            )
        )
        previous = to
    entries = [Entry(opened, "CUSTOMER_MESSAGE")]
    if len(history) > 2:
        reply_at = history[2][0] + timedelta(minutes=5)
        if reply_at <= demo.now:
            entries.append(Entry(reply_at, "PUBLIC_REPLY"))
            case.first_response_at = reply_at
    for entry in entries:
        outbound = entry.kind == "PUBLIC_REPLY"
        demo.add(
            Interaction(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                customer_id=customer_id,
                kind="case_reply" if outbound else "case_message",
                channel=case.channel.lower(),
                direction="outbound" if outbound else "inbound",
                occurred_at=entry.at,
                subject=case.subject,
                body="We are looking into it." if outbound else case.description,
                user_id=agent if outbound else None,
                link_type="Case",
                link_id=case.id,
            )
        )
    facts = CaseFacts(opened, history, entries)
    for target in targets:
        state = compute_timer(target, facts, demo.now)
        if state is None:
            continue
        demo.add(
            SlaTimer(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                case_id=case.id,
                metric=target.metric,
                state=state.state,
                started_at=state.started_at,
                target_at=state.target_at,
                warning_at=state.warning_at,
                target_seconds=target.seconds,
                business_hours=True,
                elapsed_seconds=round(state.elapsed_seconds),
                paused_seconds=round(state.paused_seconds),
                breached_at=state.breached_at,
                completed_at=state.completed_at,
                computed_at=demo.now,
            )
        )
    if solved:
        _survey(demo, case, solved[-1])


def _survey(demo: Demo, case: Case, sent_at: datetime) -> None:
    rng = demo.rng
    answered = rng.random() < 0.6
    token = hashlib.sha256(demo.id().bytes).hexdigest()
    demo.add(
        SurveyInvitation(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            case_id=case.id,
            customer_id=case.customer_id,
            kind="CSAT",
            agent_id=case.assignee_id,
            team=case.team,
            category=case.category,
            sent_at=sent_at,
            token_hash=token,
            responded_at=min(sent_at + timedelta(hours=rng.randrange(1, 48)), demo.now)
            if answered
            else None,
            score=rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 5))[0] if answered else None,
        )
    )


def _field_work(demo: Demo, assets: list[Asset], users: list[uuid.UUID]) -> None:
    for asset in assets[:15]:
        window = demo.now + timedelta(days=demo.rng.randrange(-20, 20))
        done = window < demo.now
        demo.add(
            WorkOrder(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                customer_id=asset.customer_id,
                asset_id=asset.id,
                subject=f"Yearly service of the {asset.product}",
                status="COMPLETED" if done else "SCHEDULED",
                technician_id=demo.rng.choice(users) if users else None,
                arrival_from=window,
                arrival_until=window + timedelta(hours=2),
                started_at=window + timedelta(minutes=15) if done else None,
                ended_at=window + timedelta(minutes=95) if done else None,
                outcome="Serviced, no fault found" if done else None,
            )
        )
    for asset in assets[:5]:
        demo.add(
            ServiceSchedule(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                customer_id=asset.customer_id,
                asset_id=asset.id,
                subject=f"Yearly service of the {asset.product}",
                creates="VISIT",
                recurrence="FREQ=YEARLY",
                next_at=demo.now + timedelta(days=demo.rng.randrange(30, 300)),
                created_count=0,
                active=True,
            )
        )


def _settings(demo: Demo, users: list[uuid.UUID]) -> None:
    demo.add(
        CaseStatus(
            workspace_id=demo.workspace_id,
            id=demo.id(),
            name="Awaiting parts",
            category="WAITING_ON_THIRD_PARTY",
            position=5,
        )
    )
    lead = users[0] if users else None
    rules = [
        ("Resolution near: tell the lead", "WARNING", "RESOLUTION", None, 1, "NOTIFY"),
        ("Resolution breached: raise priority", "BREACH", "RESOLUTION", None, 1, "RAISE_PRIORITY"),
        ("Resolution breached: to the lead", "BREACH", "RESOLUTION", None, 2, "REASSIGN"),
        ("Two days without news: lead watches", "NO_UPDATE", None, 960, 1, "ADD_WATCHER"),
    ]
    for name, trigger, metric, idle, level, action in rules:
        if lead is None and action in ("REASSIGN", "ADD_WATCHER"):
            continue
        demo.add(
            EscalationRule(
                workspace_id=demo.workspace_id,
                id=demo.id(),
                name=name,
                trigger=trigger,
                metric=metric,
                idle_minutes=idle,
                level=level,
                action=action,
                user_id=lead,
                team="Leads",
                active=True,
            )
        )


async def load_service_demo(session: AsyncSession, workspace: Any, rng: random.Random) -> None:
    demo = Demo(session, workspace.id, rng)
    customers, users = await _people(session)
    if not customers:
        return
    calendars = _calendars(demo)
    await demo.flush()
    policies = _policies(demo, calendars)
    articles = _articles(demo)
    _settings(demo, users)
    await demo.flush()
    assets = _assets(demo, customers)
    await demo.flush()
    by_customer = {asset.customer_id: asset for asset in assets}
    for _ in range(CASES):
        customer_id = rng.choice(customers)
        agent = rng.choice(users) if users else None
        asset = by_customer.get(customer_id) if rng.random() < 0.7 else None
        _case(demo, customer_id, agent, policies, articles, asset)
    await demo.flush()
    _field_work(demo, assets, users)
    await demo.flush()
