"""The lifetime-value models reproduce the published fits on the CDNOW sample.

The data (2,357 customers; repeat purchases, their timing in weeks and mean repeat spend) is
the public CDNOW summary Fader, Hardie and Lee fitted in "Counting Your Customers the Easy
Way" (2005) and in their Gamma-Gamma note (2013).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from rapport.core.insights.bgnbd import fit_bgnbd
from rapport.core.insights.gamma_gamma import fit_gamma_gamma

DATA = Path(__file__).parent / "cdnow_summary.csv"


def _columns() -> dict[str, np.ndarray]:
    with DATA.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2357
    return {name: np.array([float(r[name]) for r in rows]) for name in ("x", "t_x", "T", "zbar")}


def _two_figures(value: float) -> float:
    return float(f"{value:.2g}")


def test_bgnbd_matches_the_published_parameters() -> None:
    data = _columns()
    fitted = fit_bgnbd(data["x"], data["t_x"], data["T"])
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert _two_figures(getattr(fitted, name)) == _two_figures(value), name
    # P(alive) of a customer who never bought again is one; it falls with a long silence.
    alive = fitted.p_alive(np.array([0.0, 4.0]), np.array([0.0, 5.0]), np.array([38.86, 38.86]))
    assert alive[0] == 1.0
    assert alive[1] < 0.2


def test_gamma_gamma_matches_the_published_parameters() -> None:
    data = _columns()
    fitted = fit_gamma_gamma(data["x"], data["zbar"])
    assert _two_figures(fitted.p) == _two_figures(6.25)
    assert _two_figures(fitted.q) == _two_figures(3.74)
    assert _two_figures(fitted.gamma) == _two_figures(15.44)
    # A customer's expected spend lies between their own mean and the population's, nearer
    # their own the more purchases they showed.
    population = fitted.gamma * fitted.p / (fitted.q - 1)
    one, many = fitted.expected_spend(np.array([1.0, 20.0]), np.array([20.0, 20.0]))
    assert 20.0 < many < one < population
