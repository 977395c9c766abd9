"""Sales analytics, computed from stage history, closed deals, quotas and commission lines.

Formulas (see docs/plugins/sales.md for the full statement):

- funnel, per stage: *entered* = opportunities of the pipeline that entered the stage in the
  period (creation included); *converted* = those whose next stage change went forward to a
  later stage that is not a lost one; rate = converted / entered; median days in stage over
  the entries in the period that have left the stage.
- win rate: among opportunities closed in the period, won / (won + lost), by count and by
  amount.
- forecast over open opportunities expected to close in the period, plus those won in it:
  closed = won amount; weighted = closed + sum(amount x probability); committed = closed +
  open amounts at or above the commit probability; best case = closed + every open amount.
- quota attainment: won amount in the quota's own period (a territory counts its
  sub-territories) / quota amount.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.plugins.sales.models import (
    CommissionLine,
    Opportunity,
    Quota,
    Stage,
    StageChange,
    Territory,
)
from rapport.plugins.sales.services.common import day_span

__all__ = [
    "CommissionSummary",
    "ForecastRow",
    "FunnelStage",
    "Period",
    "QuotaRow",
    "WinRateRow",
    "commissions",
    "forecast",
    "quota_attainment",
    "sales_funnel",
    "win_rate",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included."""

    start: date
    end: date


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


# -- funnel ------------------------------------------------------------------------------


@dataclass
class FunnelStage:
    stage: Stage
    entered: int
    converted: int
    conversion_rate: Decimal | None
    median_days_in_stage: Decimal | None


async def sales_funnel(
    session: AsyncSession, pipeline_id: uuid.UUID, period: Period
) -> list[FunnelStage]:
    stages = list(
        (
            await session.execute(
                select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position)
            )
        ).scalars()
    )
    by_id = {stage.id: stage for stage in stages}
    start, end = day_span(period.start, period.end)
    # Each entry with the stage change that followed it (LEAD over the deal's history). An
    # entry before the period can neither count nor follow one that does, so only the rows
    # from the period's start on are read.
    order = (StageChange.changed_at, StageChange.id)
    partition = StageChange.opportunity_id
    entries = (
        select(
            StageChange.opportunity_id,
            StageChange.to_stage_id,
            StageChange.changed_at,
            # Typed, so the engine's values come back as uuids and aware datetimes.
            func.lead(StageChange.to_stage_id, type_=StageChange.to_stage_id.type)
            .over(partition_by=partition, order_by=order)
            .label("next_stage_id"),
            func.lead(StageChange.changed_at, type_=StageChange.changed_at.type)
            .over(partition_by=partition, order_by=order)
            .label("next_at"),
        )
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .where(Opportunity.pipeline_id == pipeline_id, StageChange.changed_at >= start)
        .subquery()
    )
    rows = await session.execute(select(entries).where(entries.c.changed_at < end))
    entered: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    converted: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    durations: dict[uuid.UUID, list[float]] = defaultdict(list)
    for opportunity_id, stage_id, at, next_stage_id, next_at in rows:
        stage = by_id.get(stage_id)
        if stage is None:
            continue
        entered[stage.id].add(opportunity_id)
        if next_at is None:
            continue
        durations[stage.id].append((next_at - at).total_seconds() / SECONDS_PER_DAY)
        after = by_id.get(next_stage_id)
        if after is not None and after.category != "lost" and after.position > stage.position:
            converted[stage.id].add(opportunity_id)
    return [
        FunnelStage(
            stage=stage,
            entered=len(entered[stage.id]),
            converted=len(converted[stage.id]),
            conversion_rate=_ratio(len(converted[stage.id]), len(entered[stage.id])),
            median_days_in_stage=(
                Decimal(str(round(statistics.median(durations[stage.id]), 2)))
                if durations[stage.id]
                else None
            ),
        )
        for stage in stages
    ]


# -- closed deals ------------------------------------------------------------------------


async def _closed_in(
    session: AsyncSession, period: Period, currency: str | None
) -> list[tuple[Opportunity, str]]:
    start, end = day_span(period.start, period.end)
    statement = (
        select(Opportunity, Stage.category)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(
            Opportunity.closed_at >= start,
            Opportunity.closed_at < end,
            Stage.category.in_(("won", "lost")),
        )
    )
    if currency is not None:
        statement = statement.where(Opportunity.currency == currency)
    return [(row, category) for row, category in (await session.execute(statement)).all()]


@dataclass
class WinRateRow:
    key: uuid.UUID | None
    won: int = 0
    lost: int = 0
    won_amount: Decimal = ZERO
    lost_amount: Decimal = ZERO

    @property
    def rate_by_count(self) -> Decimal | None:
        return _ratio(self.won, self.won + self.lost)

    @property
    def rate_by_amount(self) -> Decimal | None:
        return _ratio(self.won_amount, self.won_amount + self.lost_amount)


GROUP_KEYS: dict[str, Callable[[Opportunity], uuid.UUID | None]] = {
    "owner": lambda o: o.owner_id,
    "territory": lambda o: o.territory_id,
    "pipeline": lambda o: o.pipeline_id,
}


async def win_rate(
    session: AsyncSession, period: Period, group_by: str, currency: str | None = None
) -> list[WinRateRow]:
    key_of = GROUP_KEYS[group_by]
    rows: dict[uuid.UUID | None, WinRateRow] = {}
    for opportunity, category in await _closed_in(session, period, currency):
        key = key_of(opportunity)
        row = rows.setdefault(key, WinRateRow(key))
        if category == "won":
            row.won += 1
            row.won_amount += opportunity.amount
        else:
            row.lost += 1
            row.lost_amount += opportunity.amount
    return sorted(rows.values(), key=lambda r: str(r.key or ""))


# -- forecast ----------------------------------------------------------------------------


@dataclass
class ForecastRow:
    key: uuid.UUID | None
    closed: Decimal = ZERO
    weighted: Decimal = ZERO
    committed: Decimal = ZERO
    best_case: Decimal = ZERO
    open_count: int = 0
    quota: Decimal | None = None

    @property
    def attainment(self) -> Decimal | None:
        return _ratio(self.closed, self.quota) if self.quota is not None else None

    def add_open(self, opportunity: Opportunity, commit_probability: int) -> None:
        self.open_count += 1
        self.weighted += opportunity.amount * opportunity.probability / HUNDRED
        self.best_case += opportunity.amount
        if opportunity.probability >= commit_probability:
            self.committed += opportunity.amount

    def add_won(self, opportunity: Opportunity) -> None:
        for name in ("closed", "weighted", "committed", "best_case"):
            setattr(self, name, getattr(self, name) + opportunity.amount)

    def rounded(self) -> ForecastRow:
        self.weighted = self.weighted.quantize(Decimal("0.01"))
        return self


@dataclass
class Forecast:
    total: ForecastRow
    by_owner: list[ForecastRow] = field(default_factory=list)
    by_territory: list[ForecastRow] = field(default_factory=list)


async def _territory_ancestors(session: AsyncSession) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each territory with itself and every territory above it, so deals roll up the tree."""
    rows = await session.execute(select(Territory.id, Territory.parent_id))
    parents = {row[0]: row[1] for row in rows.all()}
    chains: dict[uuid.UUID, list[uuid.UUID]] = {}
    for territory in parents:
        chain: list[uuid.UUID] = []
        current: uuid.UUID | None = territory
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[territory] = chain
    return chains


async def _quotas_in(session: AsyncSession, period: Period, currency: str | None) -> list[Quota]:
    statement = select(Quota).where(
        Quota.period_start >= period.start, Quota.period_end <= period.end
    )
    if currency is not None:
        statement = statement.where(Quota.currency == currency)
    return list((await session.execute(statement)).scalars())


def _sorted_rows(rows: Iterable[ForecastRow]) -> list[ForecastRow]:
    return sorted((row.rounded() for row in rows), key=lambda r: str(r.key or ""))


async def forecast(
    session: AsyncSession, period: Period, commit_probability: int, currency: str | None = None
) -> Forecast:
    statement = (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(
            Stage.category == "open",
            Opportunity.expected_close_date >= period.start,
            Opportunity.expected_close_date <= period.end,
        )
    )
    if currency is not None:
        statement = statement.where(Opportunity.currency == currency)
    open_deals = list((await session.execute(statement)).scalars())
    won = [o for o, category in await _closed_in(session, period, currency) if category == "won"]
    chains = await _territory_ancestors(session)
    total = ForecastRow(None)
    owners: dict[Hashable, ForecastRow] = {}
    territories: dict[Hashable, ForecastRow] = {}

    def rows_for(opportunity: Opportunity) -> list[ForecastRow]:
        found = [total, owners.setdefault(opportunity.owner_id, ForecastRow(opportunity.owner_id))]
        for territory in (
            chains.get(opportunity.territory_id, []) if opportunity.territory_id else []
        ):
            found.append(territories.setdefault(territory, ForecastRow(territory)))
        return found

    for opportunity in open_deals:
        for row in rows_for(opportunity):
            row.add_open(opportunity, commit_probability)
    for opportunity in won:
        for row in rows_for(opportunity):
            row.add_won(opportunity)
    for quota in await _quotas_in(session, period, currency):
        if quota.user_id is not None:
            row = owners.setdefault(quota.user_id, ForecastRow(quota.user_id))
        else:
            row = territories.setdefault(quota.territory_id, ForecastRow(quota.territory_id))
        row.quota = (row.quota or ZERO) + quota.amount
    return Forecast(
        total.rounded(), _sorted_rows(owners.values()), _sorted_rows(territories.values())
    )


# -- quotas and commissions --------------------------------------------------------------


@dataclass
class QuotaRow:
    quota: Quota
    achieved: Decimal

    @property
    def attainment(self) -> Decimal | None:
        return _ratio(self.achieved, self.quota.amount)


async def quota_attainment(
    session: AsyncSession, period: Period, currency: str | None = None
) -> list[QuotaRow]:
    chains = await _territory_ancestors(session)
    rows: list[QuotaRow] = []
    quotas = sorted(
        await _quotas_in(session, period, currency),
        key=lambda q: (q.period_start, str(q.user_id or ""), str(q.territory_id or "")),
    )
    if not quotas:
        return rows
    # Quotas lie inside the period, so the deals won in it cover every quota: one query.
    won = [o for o, category in await _closed_in(session, period, currency) if category == "won"]
    for quota in quotas:
        # By UTC day: SQLite hands timestamps back without their zone.
        in_quota = [
            o
            for o in won
            if o.currency == quota.currency
            and o.closed_at is not None
            and quota.period_start <= o.closed_at.date() <= quota.period_end
        ]
        if quota.user_id is not None:
            mine = [o for o in in_quota if o.owner_id == quota.user_id]
        else:
            mine = [
                o
                for o in in_quota
                if o.territory_id is not None
                and quota.territory_id in chains.get(o.territory_id, [])
            ]
        rows.append(QuotaRow(quota, sum((o.amount for o in mine), ZERO)))
    return rows


@dataclass
class CommissionSummary:
    user_id: uuid.UUID
    currency: str
    total: Decimal
    lines: list[CommissionLine]


async def commissions(
    session: AsyncSession, period: Period, user_id: uuid.UUID | None
) -> list[CommissionSummary]:
    start, end = day_span(period.start, period.end)
    statement = (
        select(CommissionLine)
        .where(CommissionLine.earned_at >= start, CommissionLine.earned_at < end)
        .order_by(
            CommissionLine.earned_at,
            CommissionLine.payment_id,
            CommissionLine.multiplier,
            CommissionLine.family,
            CommissionLine.id,
        )
    )
    if user_id is not None:
        statement = statement.where(CommissionLine.user_id == user_id)
    grouped: dict[tuple[uuid.UUID, str], list[CommissionLine]] = defaultdict(list)
    for line in (await session.execute(statement)).scalars():
        grouped[(line.user_id, line.currency)].append(line)
    return [
        CommissionSummary(user, currency, sum((line.amount for line in lines), ZERO), lines)
        for (user, currency), lines in sorted(
            grouped.items(), key=lambda i: (str(i[0][0]), i[0][1])
        )
    ]
