"""The manager scorecard: six indicators over a period, a weighted score, an incentive band.

With ``start`` the first day of the period and ``end`` its last (or today, for a period still
running), and the book being the manager's PRIMARY clients:

- AUM growth = (assets of the end book at end - assets of the start book at start) / the latter
- net new clients = clients in the end book not in the start book - the reverse
- products per client = distinct (client, product) pairs of accounts open at end / end book
- retention = start-book clients still in the book at end / start book
- satisfaction = mean survey score (0-10) of end-book clients taken in the period
- review compliance = current ratings of end-book clients not overdue at end / all of them

Each indicator is scored min(max(value / target, 0), 1); the score is 100 x the weighted mean
over the indicators that have a value (an empty start book has no growth or retention).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.plugins.banking.access import today
from rapport.plugins.banking.config import BankingConfig
from rapport.plugins.banking.models import (
    AccountHolder,
    FinancialAccount,
    RiskRating,
    SurveyScore,
)
from rapport.plugins.banking.periods import Period
from rapport.plugins.banking.services.accounts import assets_by_customer
from rapport.plugins.banking.services.assignments import book_of

__all__ = ["INDICATORS", "Scorecard", "band_for", "compute_scorecard", "weighted_score"]

INDICATORS = (
    "aum_growth",
    "net_new_clients",
    "products_per_client",
    "retention",
    "satisfaction",
    "review_compliance",
)
ZERO = Decimal("0")


@dataclass(frozen=True)
class Scorecard:
    manager_user_id: uuid.UUID
    period: Period
    start: date
    end: date
    clients_at_start: int
    clients_at_end: int
    aum_at_start: Decimal
    aum_at_end: Decimal
    aum_growth: float | None
    net_new_clients: int
    products_per_client: float | None
    retention: float | None
    satisfaction: float | None
    review_compliance: float | None
    score: float | None
    band: str | None


def weighted_score(values: dict[str, float | None], config: BankingConfig) -> float | None:
    total_weight = 0.0
    earned = 0.0
    for name in INDICATORS:
        value, weight = values.get(name), config.weights.get(name, 0.0)
        if value is None or weight <= 0:
            continue
        target = config.targets.get(name, 1.0)
        earned += weight * min(max(value / target, 0.0), 1.0)
        total_weight += weight
    if total_weight == 0:
        return None
    return round(100 * earned / total_weight, 2)


def band_for(score: float | None, config: BankingConfig) -> str | None:
    if score is None:
        return None
    for minimum, band in config.bands:
        if score >= minimum:
            return band
    return None


async def _products_per_client(
    session: AsyncSession, clients: set[uuid.UUID], on: date
) -> float | None:
    if not clients:
        return None
    pairs = (
        select(AccountHolder.customer_id, FinancialAccount.product_id)
        .join(FinancialAccount, FinancialAccount.id == AccountHolder.account_id)
        .where(
            AccountHolder.customer_id.in_(clients),
            FinancialAccount.opened_on <= on,
            (FinancialAccount.closed_on.is_(None)) | (FinancialAccount.closed_on > on),
        )
        .distinct()
        .subquery()
    )
    count = (await session.execute(select(func.count()).select_from(pairs))).scalar_one()
    return round(count / len(clients), 4)


async def _satisfaction(
    session: AsyncSession, clients: set[uuid.UUID], period: Period
) -> float | None:
    if not clients:
        return None
    mean = (
        await session.execute(
            select(func.avg(SurveyScore.score)).where(
                SurveyScore.customer_id.in_(clients),
                SurveyScore.surveyed_on >= period.start,
                SurveyScore.surveyed_on < period.end,
            )
        )
    ).scalar_one()
    return None if mean is None else round(float(mean), 4)


async def _review_compliance(
    session: AsyncSession, clients: set[uuid.UUID], on: date
) -> float | None:
    """Share of the ratings in force at ``on`` (the latest per client and kind) whose review
    was not overdue at ``on``."""
    if not clients:
        return None
    rows = (
        await session.execute(
            select(RiskRating)
            .where(RiskRating.customer_id.in_(clients))
            .order_by(RiskRating.rated_at, RiskRating.id)
        )
    ).scalars()
    in_force: dict[tuple[uuid.UUID, str], RiskRating] = {}
    for rating in rows:
        if rating.rated_at.date() <= on:
            in_force[(rating.customer_id, rating.kind)] = rating
    if not in_force:
        return None
    compliant = sum(1 for r in in_force.values() if r.next_review_on >= on)
    return round(compliant / len(in_force), 4)


async def compute_scorecard(
    session: AsyncSession, manager_user_id: uuid.UUID, period: Period, config: BankingConfig
) -> Scorecard:
    start = period.start
    end = min(period.end - timedelta(days=1), today())
    if end < start:
        end = start
    start_book = await book_of(session, manager_user_id, start)
    end_book = await book_of(session, manager_user_id, end)
    kinds = config.asset_kinds
    aum_start = (
        sum((await assets_by_customer(session, kinds, start_book, on=start)).values(), ZERO)
        if start_book
        else ZERO
    )
    aum_end = (
        sum((await assets_by_customer(session, kinds, end_book, on=end)).values(), ZERO)
        if end_book
        else ZERO
    )
    growth = round(float((aum_end - aum_start) / aum_start), 4) if aum_start > 0 else None
    net_new = len(end_book - start_book) - len(start_book - end_book)
    retention = round(len(start_book & end_book) / len(start_book), 4) if start_book else None
    values: dict[str, float | None] = {
        "aum_growth": growth,
        "net_new_clients": float(net_new),
        "products_per_client": await _products_per_client(session, end_book, end),
        "retention": retention,
        "satisfaction": await _satisfaction(session, end_book, period),
        "review_compliance": await _review_compliance(session, end_book, end),
    }
    score = weighted_score(values, config)
    return Scorecard(
        manager_user_id=manager_user_id,
        period=period,
        start=start,
        end=end,
        clients_at_start=len(start_book),
        clients_at_end=len(end_book),
        aum_at_start=aum_start,
        aum_at_end=aum_end,
        aum_growth=growth,
        net_new_clients=net_new,
        products_per_client=values["products_per_client"],
        retention=retention,
        satisfaction=values["satisfaction"],
        review_compliance=values["review_compliance"],
        score=score,
        band=band_for(score, config),
    )
