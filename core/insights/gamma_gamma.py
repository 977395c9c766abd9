"""Gamma-Gamma: what a customer will spend per purchase, from what they spent so far.

Fader, Hardie and Lee, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis"
(2005), and Fader and Hardie's note "The Gamma-Gamma Model of Monetary Value" (2013). A
customer's purchase amounts are Gamma(p, nu) with nu drawn from Gamma(q, gamma) across
customers; it is fitted on customers with at least one repeat purchase, on the mean ``m`` of
their repeat purchases, and assumes spend does not depend on how often they buy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import gammaln

__all__ = ["GammaGammaParameters", "fit_gamma_gamma"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class GammaGammaParameters:
    p: float
    q: float
    gamma: float

    def expected_spend(self, x: Floats, m: Floats) -> Floats:
        """E[spend per purchase | x, m]: the population mean and the customer's own, weighted
        by how many purchases the customer has shown (equation 5 of the note)."""
        p, q, gamma = self.p, self.q, self.gamma
        population = gamma * p / (q - 1)
        weight = p * x / (p * x + q - 1)
        return np.asarray((1 - weight) * population + weight * m, dtype=np.float64)


def _negative_log_likelihood(log_params: Floats, x: Floats, m: Floats) -> float:
    p, q, gamma = np.exp(log_params)
    px = p * x
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
    return float(-np.sum(ll))


def fit_gamma_gamma(x: Floats, m: Floats) -> GammaGammaParameters:
    """Maximum-likelihood parameters from customers with ``x > 0`` and mean spend ``m > 0``."""
    keep = (x > 0) & (m > 0)
    result = minimize(
        _negative_log_likelihood,
        x0=np.zeros(3),
        args=(x[keep], m[keep]),
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000},
    )
    p, q, gamma = (float(v) for v in np.exp(result.x))
    return GammaGammaParameters(p=p, q=q, gamma=gamma)
