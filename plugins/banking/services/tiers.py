"""Key clients: tiers from the Pareto share of client value, and the service they earn.

Value of a client = assets under management x ``asset_weight`` + revenue of the last
``revenue_months`` months x ``revenue_weight``. Clients are ranked by value (highest first);
a client whose preceding clients together hold less than ``tier_a_share`` of all value is tier A
(so the clients needed to reach 80% are A), less than ``tier_b_share`` tier B, the rest C.
Each tier with a contact frequency gets a recurring callback task for the primary manager.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import (
    OPEN_TASK_STATUSES,
    Customer,
    Operation,
    Task,
    TaskFields,
    create_task,
    parse_recurrence,
    update_task,
    utcnow,
)
from rapport.plugins.banking.config import BankingConfig
from rapport.plugins.banking.events import KeyClientTiersComputed
from rapport.plugins.banking.models import ClientRevenue, KeyClientTier
from rapport.plugins.banking.services.accounts import assets_by_customer
from rapport.plugins.banking.services.assignments import primary_managers

__all__ = ["CALLBACK_LINK", "ClientValue", "TierRun", "assign_tiers", "recompute_tiers"]

CALLBACK_LINK = "KeyClientTier"
ZERO = Decimal("0")


@dataclass(frozen=True)
class ClientValue:
    customer_id: uuid.UUID
    assets: Decimal
    revenue: Decimal
    value: Decimal


@dataclass
class TierRun:
    tiers: list[KeyClientTier]
    computed_at: datetime
    callbacks_created: int


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


async def client_values(
    session: AsyncSession, config: BankingConfig, on: date
) -> list[ClientValue]:
    """Every live client with assets or revenue, and their value."""
    assets = await assets_by_customer(session, config.asset_kinds)
    # The current month counts as one of the window's months.
    since = _months_back(on, config.revenue_months - 1)
    revenue: dict[uuid.UUID, Decimal] = dict(
        (
            await session.execute(
                select(ClientRevenue.customer_id, func.sum(ClientRevenue.amount))
                .where(ClientRevenue.month >= since, ClientRevenue.month <= on)
                .group_by(ClientRevenue.customer_id)
            )
        ).all()
    )
    ids = set(assets) | set(revenue)
    live = set(
        (
            await session.execute(
                select(Customer.id).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
            )
        ).scalars()
    )
    values = []
    for customer_id in live:
        held = assets.get(customer_id, ZERO)
        earned = Decimal(revenue.get(customer_id) or 0)
        value = held * config.asset_weight + earned * config.revenue_weight
        values.append(ClientValue(customer_id, held, earned, value.quantize(Decimal("0.01"))))
    return values


def assign_tiers(
    values: list[ClientValue], a_share: float, b_share: float
) -> list[tuple[ClientValue, str, float]]:
    """(client, tier, cumulative share including the client), highest value first."""
    ranked = sorted(values, key=lambda v: (-v.value, str(v.customer_id)))
    total = sum((v.value for v in ranked), ZERO)
    result = []
    running = ZERO
    for item in ranked:
        before = float(running / total) if total > 0 else 1.0
        if item.value <= 0:
            tier = "C"
        elif before < a_share:
            tier = "A"
        elif before < b_share:
            tier = "B"
        else:
            tier = "C"
        running += item.value
        share = float(running / total) if total > 0 else 0.0
        result.append((item, tier, round(share, 6)))
    return result


async def recompute_tiers(op: Operation, config: BankingConfig) -> TierRun:
    now = utcnow()
    day = now.date()
    ranked = assign_tiers(
        await client_values(op.session, config, day), config.tier_a_share, config.tier_b_share
    )
    existing = {
        row.customer_id: row for row in (await op.session.execute(select(KeyClientTier))).scalars()
    }
    kept = {item.customer_id for item, _, _ in ranked}
    stale = [cid for cid in existing if cid not in kept]
    if stale:
        await op.session.execute(
            delete(KeyClientTier)
            .where(KeyClientTier.customer_id.in_(stale))
            .execution_options(synchronize_session="fetch")
        )
    rows: list[KeyClientTier] = []
    for item, tier, share in ranked:
        row = existing.get(item.customer_id)
        if row is None:
            row = KeyClientTier(workspace_id=op.workspace_id, customer_id=item.customer_id)
            op.session.add(row)
        row.tier, row.assets, row.revenue, row.value = tier, item.assets, item.revenue, item.value
        row.cumulative_share, row.computed_at = share, now
        rows.append(row)
    await op.session.flush()
    op.audit(
        "KeyClientTier",
        op.workspace_id,
        "recompute",
        {tier: [None, sum(1 for _, t, _ in ranked if t == tier)] for tier in ("A", "B", "C")},
    )
    created = await _schedule_callbacks(op, rows, config, day)
    await op.emit(KeyClientTiersComputed(id=op.workspace_id, clients=len(rows), computed_at=now))
    return TierRun(rows, now, created)


async def _schedule_callbacks(
    op: Operation, rows: list[KeyClientTier], config: BankingConfig, day: date
) -> int:
    """Keep one open recurring callback per key client, at its tier's frequency."""
    open_tasks = {
        task.link_id: task
        for task in (
            await op.session.execute(
                select(Task).where(
                    Task.link_type == CALLBACK_LINK,
                    Task.status.in_(OPEN_TASK_STATUSES),
                    Task.deleted_at.is_(None),
                )
            )
        ).scalars()
    }
    # Clients that no longer have a tier (no assets, no revenue) need no more calls.
    tiered = {row.id for row in rows}
    for link_id, task in open_tasks.items():
        if link_id not in tiered:
            await update_task(op, task.id, TaskFields(status="cancelled"))
    managers = await primary_managers(op.session, [r.customer_id for r in rows], day)
    created = 0
    for row in rows:
        rule = config.contact_frequency.get(row.tier)
        existing = open_tasks.get(row.id)
        if existing is not None:
            if rule is None:
                await update_task(op, existing.id, TaskFields(status="cancelled"))
            elif existing.recurrence != parse_recurrence(rule).as_rule():
                await update_task(op, existing.id, TaskFields(recurrence=rule))
            continue
        manager = managers.get(row.customer_id)
        if rule is None or manager is None:
            continue
        first_due = parse_recurrence(rule).next_after(datetime.combine(day, time(10), tzinfo=UTC))
        await create_task(
            op,
            TaskFields(
                title=f"Call key client (tier {row.tier})",
                customer_id=row.customer_id,
                assignee_id=manager,
                due_at=first_due,
                recurrence=rule,
                link_type=CALLBACK_LINK,
                link_id=row.id,
            ),
        )
        created += 1
    return created
