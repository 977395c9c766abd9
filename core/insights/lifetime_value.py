"""Predicted value: BG/NBD and Gamma-Gamma fitted on the workspace, or a simple formula.

The models are fitted once per workspace and recomputation, in weeks, on every customer with a
purchase. A customer younger than ``min_history_days``, or every customer of a workspace with
fewer than ``min_repeat_customers`` repeat buyers (too little to fit), gets the fallback
instead: yearly value x margin x retention / (1 + discount rate - retention).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from rapport.core.insights.bgnbd import BgNbdParameters, fit_bgnbd
from rapport.core.insights.gamma_gamma import GammaGammaParameters, fit_gamma_gamma
from rapport.core.insights.history import PurchaseHistory
from rapport.core.insights.settings import InsightSettings

__all__ = ["LifetimePrediction", "predict_lifetime_values"]

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = 365.25 / 12 / DAYS_PER_WEEK
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class LifetimePrediction:
    expected_purchases: float | None
    p_alive: float | None
    value: Decimal
    method: str


def _fit(
    histories: list[PurchaseHistory], now: datetime, settings: InsightSettings
) -> tuple[BgNbdParameters, GammaGammaParameters] | None:
    x, t_x, age, spend = _arrays(histories, now)
    if int(np.count_nonzero(x)) < settings.min_repeat_customers:
        return None
    try:
        bgnbd, gamma_gamma = fit_bgnbd(x, t_x, age), fit_gamma_gamma(x, spend)
    except (ValueError, FloatingPointError):
        return None
    usable = all(np.isfinite(v) and v > 0 for v in (bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b))
    # The expected spend needs q > 1, and the purchase forecast a > 1.
    if not usable or gamma_gamma.q <= 1 or bgnbd.a <= 1:
        return None
    return bgnbd, gamma_gamma


def _arrays(
    histories: list[PurchaseHistory], now: datetime
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    def weeks(later: datetime, earlier: datetime) -> float:
        return max((later - earlier).total_seconds() / 86400 / DAYS_PER_WEEK, 0.0)

    x = np.array([h.repeats for h in histories], dtype=np.float64)
    t_x = np.array([weeks(h.last_at, h.first_at) for h in histories], dtype=np.float64)
    age = np.array([weeks(now, h.first_at) for h in histories], dtype=np.float64)
    spend = np.array([h.repeat_spend for h in histories], dtype=np.float64)
    return x, t_x, np.maximum(age, t_x), spend


def _fallback(history: PurchaseHistory, now: datetime, settings: InsightSettings) -> Decimal:
    years = max((now - history.first_at).days, settings.min_history_days) / 365.25
    yearly = float(history.total) / years
    retention = settings.retention_rate
    factor = retention / (1 + settings.annual_discount_rate - retention)
    return Decimal(str(round(yearly * settings.margin * factor, 2))).quantize(CENTS)


def predict_lifetime_values(
    histories: dict[uuid.UUID, PurchaseHistory], now: datetime, settings: InsightSettings
) -> dict[uuid.UUID, LifetimePrediction]:
    ids = list(histories)
    ordered = [histories[i] for i in ids]
    fitted = _fit(ordered, now, settings) if ordered else None
    found: dict[uuid.UUID, LifetimePrediction] = {}
    if fitted is not None:
        found.update(_modelled(ids, ordered, now, settings, *fitted))
    for customer_id, history in histories.items():
        if customer_id not in found:
            found[customer_id] = LifetimePrediction(
                None, None, _fallback(history, now, settings), "margin_retention"
            )
    return found


def _modelled(
    ids: list[uuid.UUID],
    histories: list[PurchaseHistory],
    now: datetime,
    settings: InsightSettings,
    bgnbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
) -> dict[uuid.UUID, LifetimePrediction]:
    x, t_x, age, spend = _arrays(histories, now)
    old_enough = age * DAYS_PER_WEEK >= settings.min_history_days
    monthly_discount = (1 + settings.annual_discount_rate) ** (1 / 12) - 1
    # Purchases expected in each month of the horizon, discounted to today.
    cumulative = [np.zeros_like(x)]
    for month in range(1, settings.horizon_months + 1):
        cumulative.append(bgnbd.expected_purchases(month * WEEKS_PER_MONTH, x, t_x, age))
    discounted = sum(
        (cumulative[k] - cumulative[k - 1]) / (1 + monthly_discount) ** k
        for k in range(1, settings.horizon_months + 1)
    )
    per_purchase = gamma_gamma.expected_spend(x, spend)
    values = np.asarray(discounted) * per_purchase * settings.margin
    p_alive = bgnbd.p_alive(x, t_x, age)
    return {
        ids[i]: LifetimePrediction(
            expected_purchases=round(float(cumulative[-1][i]), 4),
            p_alive=round(float(p_alive[i]), 4),
            value=Decimal(str(round(float(values[i]), 2))).quantize(CENTS),
            method="bgnbd",
        )
        for i in range(len(ids))
        if old_enough[i]
    }
