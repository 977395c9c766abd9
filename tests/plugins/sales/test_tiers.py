"""Cutting revenue into commission tiers (pure arithmetic, no database)."""

from __future__ import annotations

from decimal import Decimal as D

from rapport.plugins.sales.services.commissions import Tier, tiered

TIERS = [Tier(D("1.0"), D("1.5")), Tier(D("1.5"), D("2"))]


def test_no_quota_is_one_piece_at_the_base_rate() -> None:
    assert tiered(D("500"), D("0"), None, TIERS) == [(D("500"), D("1"))]


def test_a_payment_crossing_two_tiers_is_cut_at_each() -> None:
    # Quota 1000, 800 credited: 200 below quota, 500 in the 1.5 tier, 300 in the 2 tier.
    assert tiered(D("1000"), D("800"), D("1000"), TIERS) == [
        (D("200"), D("1")),
        (D("500.0"), D("1.5")),
        (D("300.0"), D("2")),
    ]


def test_already_beyond_the_top_tier() -> None:
    assert tiered(D("50"), D("2000"), D("1000"), TIERS) == [(D("50"), D("2"))]


def test_tiers_may_start_below_quota() -> None:
    early = [Tier(D("0.5"), D("1.2"))]
    assert tiered(D("100"), D("0"), D("100"), early) == [(D("50.0"), D("1")), (D("50.0"), D("1.2"))]
