"""What insights are computed with: the deployment's defaults, then each workspace's own.

Defaults come from ``[insights]`` in the config file; a workspace overrides any of them with
``updateInsightSettings`` (stored in ``insight_settings``).

Money is counted in one reporting currency per workspace (``currency``). Revenue rows in
another currency are left out rather than converted at a rate the CRM does not know; a source
whose amounts are already in the reporting currency (banking's client revenue) gives a null
currency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.config import Settings
from rapport.core.models import InsightSettingsRow

__all__ = ["InsightSettings", "deployment_insight_settings", "workspace_insight_settings"]


def _default_grades() -> dict[str, float]:
    # The least realised value (reporting currency, over the window) that earns each grade;
    # "A" also needs an RFM sum of at least ``grade_a_min_rfm``. "D" is everyone else.
    return {"A": 10_000.0, "B": 2_000.0, "C": 1.0}


@dataclass(frozen=True)
class InsightSettings:
    currency: str = "EUR"
    # RFM and realised value look this far back.
    window_days: int = 365
    grade_thresholds: dict[str, float] = field(default_factory=_default_grades)
    grade_a_min_rfm: int = 12
    # Lifetime value looks this many months ahead, discounted at this yearly rate.
    horizon_months: int = 12
    annual_discount_rate: float = 0.10
    # Below this many customers with a repeat purchase the models are not fitted at all, and
    # a customer younger than ``min_history_days`` gets the fallback formula.
    min_repeat_customers: int = 20
    min_history_days: int = 90
    # The fallback: yearly value x margin x retention / (1 + discount - retention).
    margin: float = 1.0
    retention_rate: float = 0.75
    # A customer whose churn risk reaches this, with no purchase for ``churn_after_days``,
    # is moved to `churned`.
    churn_risk_threshold: float = 0.8
    churn_after_days: int = 180

    def merged(self, values: dict[str, Any]) -> InsightSettings:
        known = {f.name for f in fields(InsightSettings)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown insight settings: {', '.join(sorted(unknown))}")
        return replace(self, **values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def deployment_insight_settings(settings: Settings) -> InsightSettings:
    return InsightSettings().merged(dict(settings.extra.get("insights", {})))


async def workspace_insight_settings(session: AsyncSession, settings: Settings) -> InsightSettings:
    """The deployment's defaults overlaid by the workspace's own (the session's workspace)."""
    base = deployment_insight_settings(settings)
    stored = (
        await session.execute(
            select(InsightSettingsRow.values).where(InsightSettingsRow.scope == "workspace")
        )
    ).scalar_one_or_none()
    return base.merged(stored or {})
