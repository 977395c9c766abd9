"""The plugin's settings, read from ``[banking]`` in the config file (``settings.extra``).

Every value has a default, so the plugin runs without any configuration; a deployment
overrides only what it wants to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from rapport.core import Settings

__all__ = ["BankingConfig", "banking_config"]


def _default_weights() -> dict[str, float]:
    return {
        "aum_growth": 0.25,
        "net_new_clients": 0.15,
        "products_per_client": 0.15,
        "retention": 0.2,
        "satisfaction": 0.1,
        "review_compliance": 0.15,
    }


def _default_targets() -> dict[str, float]:
    # The value of each indicator that earns full marks.
    return {
        "aum_growth": 0.10,
        "net_new_clients": 5.0,
        "products_per_client": 3.0,
        "retention": 1.0,
        "satisfaction": 10.0,
        "review_compliance": 1.0,
    }


def _default_bands() -> list[tuple[float, str]]:
    return [(85.0, "A"), (70.0, "B"), (50.0, "C"), (0.0, "D")]


def _default_contact() -> dict[str, str]:
    # iCalendar rules for the callback task each tier gets; a tier absent here gets none.
    return {"A": "FREQ=MONTHLY", "B": "FREQ=MONTHLY;INTERVAL=3"}


@dataclass(frozen=True)
class BankingConfig:
    # Scorecard indicator weights; they need not sum to 1 (the score divides by their sum).
    weights: dict[str, float] = field(default_factory=_default_weights)
    targets: dict[str, float] = field(default_factory=_default_targets)
    # (minimum score, band), highest first.
    bands: list[tuple[float, str]] = field(default_factory=_default_bands)
    # Cumulative value share that closes tier A and tier B.
    tier_a_share: float = 0.80
    tier_b_share: float = 0.95
    # A client's value = assets * asset_weight + trailing revenue * revenue_weight.
    asset_weight: Decimal = Decimal("0.01")
    revenue_weight: Decimal = Decimal("1")
    revenue_months: int = 12
    contact_frequency: dict[str, str] = field(default_factory=_default_contact)
    training_minimum_points: int = 20
    # Product kinds whose balances count as assets under management.
    asset_kinds: tuple[str, ...] = ("deposit", "savings", "investment", "pension")


def banking_config(settings: Settings) -> BankingConfig:
    raw: dict[str, Any] = dict(settings.extra.get("banking", {}))
    known = {f.name for f in fields(BankingConfig)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"unknown [banking] settings: {', '.join(sorted(unknown))}")
    defaults = BankingConfig()
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = getattr(defaults, name)
        if isinstance(default, dict):
            values[name] = {**default, **value}
        elif isinstance(default, Decimal):
            values[name] = Decimal(str(value))
        elif name == "bands":
            values[name] = sorted(((float(m), str(b)) for m, b in value), reverse=True)
        elif isinstance(default, tuple):
            values[name] = tuple(value)
        else:
            values[name] = type(default)(value)
    return BankingConfig(**values)
